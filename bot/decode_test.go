package bot

import (
	"encoding/json"
	"testing"

	"github.com/go-telegram/bot/models"
	"github.com/google/go-cmp/cmp"
)

// Updates as Telegram sends them decode to what go-telegram/bot makes of
// them, the tapped message of a callback query included: a card with its
// buttons, a message the bot can no longer reach (date 0), a button under an
// inline message (no message at all). Chat and user IDs above 2^32.
func TestUpdatesDecodeAsGoTelegramDecodesThem(t *testing.T) {
	t.Parallel()
	updates := map[string]string{
		"tap on a card": `{"update_id":912345678,"callback_query":{"id":"4916290735601234567",
			"from":{"id":7312456789,"is_bot":false,"first_name":"Noor","language_code":"nl"},
			"message":{"message_id":4711,"from":{"id":123456,"is_bot":true,"first_name":"Lijntje","username":"lijntje_bot"},
				"chat":{"id":7312456789,"first_name":"Noor","type":"private"},"date":1795000000,"edit_date":1795000042,
				"text":"✅ Werk: ja\nHoe gaat het met je? 🙂","entities":[{"offset":0,"length":1,"type":"bold"}],
				"reply_markup":{"inline_keyboard":[[{"text":"😀 Goed","callback_data":"a:98765:mood:4"},{"text":"😐 Gaat wel","callback_data":"a:98765:mood:3"}],[{"text":"😟 Slecht","callback_data":"a:98765:mood:1"}]]}},
			"chat_instance":"-3456789012345678901","data":"a:98765:mood:4"}}`,
		"tap on a message out of reach": `{"update_id":912345679,"callback_query":{"id":"4916290735601234568",
			"from":{"id":7312456789,"is_bot":false,"first_name":"Noor"},
			"message":{"chat":{"id":7312456789,"type":"private"},"message_id":12,"date":0},
			"chat_instance":"-3456789012345678901","data":"a:98765:work:yes"}}`,
		"tap under an inline message": `{"update_id":912345680,"callback_query":{"id":"4916290735601234569",
			"from":{"id":7312456789,"is_bot":false,"first_name":"Noor"},"inline_message_id":"AAAAAD3kZQAAAAA","chat_instance":"1","data":"x"}}`,
		"text": `{"update_id":912345681,"message":{"message_id":4712,"from":{"id":7312456789,"is_bot":false,"first_name":"Noor"},
			"chat":{"id":7312456789,"type":"private"},"date":1795000100,"text":"mn baas heeft me ontslagen ff geen zin meer"}}`,
		"edited text": `{"update_id":912345682,"edited_message":{"message_id":4712,"from":{"id":7312456789,"is_bot":false,"first_name":"Noor"},
			"chat":{"id":7312456789,"type":"private"},"date":1795000100,"edit_date":1795000160,"text":"wil dood eerlijk"}}`,
		"blocked": `{"update_id":912345683,"my_chat_member":{"chat":{"id":7312456789,"type":"private"},"from":{"id":7312456789,"is_bot":false,"first_name":"Noor"},
			"date":1795000200,"old_chat_member":{"status":"member","user":{"id":123456,"is_bot":true,"first_name":"Lijntje"}},
			"new_chat_member":{"status":"kicked","user":{"id":123456,"is_bot":true,"first_name":"Lijntje"},"until_date":0}}}`,
	}
	for name, raw := range updates {
		var want models.Update
		if err := json.Unmarshal([]byte(raw), &want); err != nil {
			t.Fatalf("%s: go-telegram/bot: %v", name, err)
		}
		var got update
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if diff := cmp.Diff(want, got.model()); diff != "" {
			t.Errorf("%s: decoded differently (-go-telegram +ours):\n%s", name, diff)
		}
		if ChatOf(&want) != ChatOf(new(got.model())) {
			t.Errorf("%s: chat %d, want %d", name, ChatOf(new(got.model())), ChatOf(&want))
		}
	}
}
