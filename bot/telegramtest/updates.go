package telegramtest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"
)

// update is a queued update. Guarded by Server.mu.
type update struct {
	id        int64
	raw       json.RawMessage
	kind      string // "message", "callback_query", ...
	chat      int64  // for per-chat ordering of webhook deliveries
	again     bool   // queued by Redeliver: delivered whatever the offset
	delivered bool
	fetched   bool // it left the server once (OnFetch)
}

// pushLocked queues an update built by the server (a message, an edit, a
// tap, a member change) and returns its id. It is on every simulated tap's
// path, so it encodes u once and reads its kind and chat from u itself; the
// benchmark shares the CPU with the bot.
func (s *Server) pushLocked(u *models.Update) int64 {
	kind, chat := builtKind(u)
	v := *u
	v.ID = s.nextIDLocked()
	raw, err := json.Marshal(&v)
	if err != nil {
		panic("telegramtest: " + err.Error())
	}
	s.addLocked(&update{id: v.ID, raw: raw, kind: kind, chat: chat})
	return v.ID
}

// builtKind is the kind and chat of an update the server builds: it carries
// exactly one of these (updateChat's reading of them).
func builtKind(u *models.Update) (string, int64) {
	switch {
	case u.Message != nil:
		return "message", u.Message.Chat.ID
	case u.EditedMessage != nil:
		return "edited_message", u.EditedMessage.Chat.ID
	case u.CallbackQuery != nil:
		if m := u.CallbackQuery.Message.Message; m != nil && m.Date != 0 {
			return "callback_query", m.Chat.ID
		}
		return "callback_query", u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return "my_chat_member", u.MyChatMember.Chat.ID
	}
	panic("telegramtest: the server built an update of no kind it knows")
}

// enqueueLocked gives v (anything that marshals to a JSON object) the next
// update_id and queues it.
func (s *Server) enqueueLocked(v any) (int64, error) {
	fields, err := jsonObject(v)
	if err != nil {
		return 0, err
	}
	id := s.nextIDLocked()
	fields["update_id"] = json.RawMessage(strconv.FormatInt(id, 10))
	raw, err := json.Marshal(fields)
	if err != nil {
		return 0, err
	}
	s.addLocked(&update{id: id, raw: raw, kind: updateKind(fields), chat: updateChat(raw)})
	return id, nil
}

// nextIDLocked hands out the next update_id.
func (s *Server) nextIDLocked() int64 {
	id := s.nextUpdateID
	s.nextUpdateID++
	return id
}

// addLocked keeps u in the history and queues it.
func (s *Server) addLocked(u *update) {
	s.history[u.id] = u
	s.queueLocked(u)
}

func jsonObject(v any) (map[string]json.RawMessage, error) {
	var raw []byte
	switch v := v.(type) {
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("update is not a JSON object: %s", raw)
	}
	return fields, nil
}

func updateKind(fields map[string]json.RawMessage) string {
	var keys []string
	for k := range fields {
		if k != "update_id" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// chatOnly is the part of a message updateChat reads.
type chatOnly struct {
	Chat struct {
		ID int64 `json:"id"`
	} `json:"chat"`
	Date int `json:"date"` // 0: a message the bot can no longer reach
}

func updateChat(raw json.RawMessage) int64 {
	var u struct { // only what it needs: decoding a whole Update cost the benchmark's CPU
		Message           *chatOnly `json:"message"`
		EditedMessage     *chatOnly `json:"edited_message"`
		ChannelPost       *chatOnly `json:"channel_post"`
		EditedChannelPost *chatOnly `json:"edited_channel_post"`
		CallbackQuery     *struct {
			From struct {
				ID int64 `json:"id"`
			} `json:"from"`
			Message *chatOnly `json:"message"`
		} `json:"callback_query"`
		MyChatMember *chatOnly `json:"my_chat_member"`
	}
	_ = json.Unmarshal(raw, &u) // best effort: forged updates may not decode
	for _, m := range []*chatOnly{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost} {
		if m != nil {
			return m.Chat.ID
		}
	}
	switch {
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Date != 0:
		return u.CallbackQuery.Message.Chat.ID
	case u.CallbackQuery != nil:
		return u.CallbackQuery.From.ID
	case u.MyChatMember != nil:
		return u.MyChatMember.Chat.ID
	}
	return 0
}

func (s *Server) queueLocked(u *update) {
	s.pending = append(s.pending, u)
	s.arrived.fire()
	s.changed.fire()
	if s.hook != nil {
		s.kickHookLocked(u.chat)
	}
}

// PushRaw queues an arbitrary update (forged data, channel posts, ...) and
// returns its update_id. update is a models.Update, json.RawMessage, []byte,
// string, or anything else that marshals to a JSON object; its update_id is
// replaced. A callback_query in it becomes answerable, and chats of messages
// in it become known chats (see Server.User).
func (s *Server) PushRaw(update any) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, err := s.enqueueLocked(update)
	if err != nil {
		return 0, err
	}
	s.adoptLocked(s.history[id].raw)
	return id, nil
}

// adoptLocked registers the chats, messages and callback queries of a raw
// update so the bot can answer it.
func (s *Server) adoptLocked(raw json.RawMessage) {
	var u models.Update
	_ = json.Unmarshal(raw, &u)
	for _, m := range []*models.Message{u.Message, u.EditedMessage, u.ChannelPost, u.EditedChannelPost} {
		if m != nil {
			s.adoptMessageLocked(m)
		}
	}
	if q := u.CallbackQuery; q != nil && q.ID != "" && s.callbacks[q.ID] == nil {
		s.addCallbackLocked(q.ID, q.From.ID)
	}
}

func (s *Server) adoptMessageLocked(m *models.Message) {
	c := s.chats[m.Chat.ID]
	if c == nil {
		name := cmp.Or(m.Chat.FirstName, m.Chat.Title, m.Chat.Username)
		c = newChat(&User{ID: m.Chat.ID, FirstName: name, s: s})
		s.chats[m.Chat.ID] = c
	}
	if c.msgs[m.ID] == nil {
		c.msgs[m.ID] = &message{m: *m, at: time.Unix(int64(m.Date), 0)}
		c.lastID = max(c.lastID, m.ID)
	}
}

// Redeliver queues the update with this id again, with the same update_id,
// as Telegram does when a bot crashed before confirming it. The copy is
// delivered to the next getUpdates whatever its offset (then confirmed by
// any later offset above its id), or posted to the webhook.
func (s *Server) Redeliver(updateID int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.history[updateID]
	if u == nil {
		return fmt.Errorf("telegramtest: no update %d", updateID)
	}
	s.queueLocked(&update{id: u.id, raw: u.raw, kind: u.kind, chat: u.chat, again: true})
	return nil
}

var (
	errPollConflict = &apiError{code: http.StatusConflict,
		desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	errPollWebhook = &apiError{code: http.StatusConflict,
		desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
)

func (s *Server) getUpdates(r *request) (any, *apiError) {
	offset, e1 := r.p.int("offset")
	limit, e2 := r.p.int("limit")
	timeout, e3 := r.p.int("timeout")
	if aerr := cmp.Or(e1, e2, e3); aerr != nil {
		return nil, aerr
	}
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	switch {
	case s.hook != nil:
		return nil, errPollWebhook
	case s.polling:
		return nil, errPollConflict
	}
	if aerr := s.setAllowedLocked(r.p); aerr != nil {
		return nil, aerr
	}
	s.polling = true
	s.changed.fire()
	defer func() { s.polling = false }()
	s.confirmLocked(offset)
	return s.pollLocked(r.ctx, int(limit), time.Duration(timeout)*time.Second), nil
}

func (s *Server) setAllowedLocked(p params) *apiError {
	var allowed []string
	ok, err := p.decode("allowed_updates", &allowed)
	if err != nil {
		return badRequest("can't parse allowed_updates")
	}
	if ok {
		s.allowed = allowed
	}
	return nil
}

// confirmLocked drops the updates an offset confirms.
func (s *Server) confirmLocked(offset int64) {
	switch {
	case offset > 0:
		s.pending = slices.DeleteFunc(s.pending, func(u *update) bool {
			return u.id < offset && (!u.again || u.delivered)
		})
	case offset < 0:
		if n := int(-offset); len(s.pending) > n {
			s.pending = slices.Clone(s.pending[len(s.pending)-n:])
		}
	}
}

// pollLocked waits, with s.mu released, until updates are pending, the
// timeout passes, the client goes away or the server closes.
func (s *Server) pollLocked(ctx context.Context, limit int, timeout time.Duration) json.RawMessage {
	var expired <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expired = t.C
	}
	for {
		batch := s.batchLocked(limit)
		if len(batch) > 0 || expired == nil || s.hook != nil || s.closed {
			return json.RawMessage("[" + strings.Join(batch, ",") + "]")
		}
		wake := s.arrived.wait()
		s.mu.Unlock()
		select {
		case <-wake:
		case <-expired:
			expired = nil
		case <-ctx.Done():
			expired = nil
		case <-s.done:
		}
		s.mu.Lock()
	}
}

// batchLocked returns up to limit pending updates, dropping those that
// allowed_updates excludes.
func (s *Server) batchLocked(limit int) []string {
	s.pending = slices.DeleteFunc(s.pending, func(u *update) bool { return !s.wantLocked(u.kind) })
	var out []string
	for _, u := range s.pending[:min(limit, len(s.pending))] {
		u.delivered = true
		s.fetchedLocked(u)
		out = append(out, string(u.raw))
	}
	return out
}

// wantLocked applies allowed_updates; by default Telegram leaves out
// chat_member and reaction updates.
func (s *Server) wantLocked(kind string) bool {
	if len(s.allowed) == 0 {
		return kind != "chat_member" && kind != "message_reaction" && kind != "message_reaction_count"
	}
	return slices.Contains(s.allowed, kind)
}
