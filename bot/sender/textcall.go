package sender

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"

	tgbot "github.com/go-telegram/bot"

	"github.com/lijntje/lijntje/store"
)

// textCall makes sendMessage or editMessageText as one small JSON request and
// reads from the answer only what the sender needs: the message ID, or the
// error. go-telegram/bot builds a multipart form through a pipe for every call
// and decodes the whole Message it gets back; on the hot path (a tap's edit,
// a question) that was most of the client's CPU. Errors come back as
// go-telegram/bot's, so deliver treats both paths alike.
type textCall struct {
	url    string // <api>/bot<token>/
	client *http.Client
}

type textRequest struct {
	ChatID             int64           `json:"chat_id"`
	MessageID          int             `json:"message_id,omitempty"`
	Text               string          `json:"text"`
	ReplyMarkup        *inlineKeyboard `json:"reply_markup,omitempty"`
	AllowPaidBroadcast bool            `json:"allow_paid_broadcast,omitempty"`
}

type inlineKeyboard struct {
	InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

// textResponse is the answer to a call, read in one pass: of a message sent
// or edited only its ID; a result of another shape (answerCallbackQuery's
// true) is not read.
type textResponse struct {
	OK     bool `json:"ok"`
	Result struct {
		MessageID int `json:"message_id"`
	} `json:"result"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func newTextCall(apiURL, token string, client *http.Client) *textCall {
	if apiURL == "" || token == "" {
		return nil
	}
	if client == nil {
		client = HTTPClient(0)
	}
	return &textCall{url: apiURL + "/bot" + token + "/", client: client}
}

// do sends m (a send or an edit of text, maybe with buttons) and returns the message ID.
func (c *textCall) do(ctx context.Context, m store.Message, paid bool) (int, error) {
	method := "sendMessage"
	req := textRequest{ChatID: m.ChatID, Text: m.Text, AllowPaidBroadcast: paid}
	if m.Kind == store.KindEdit {
		method, req.MessageID, req.AllowPaidBroadcast = "editMessageText", m.EditMessageID, false
	}
	if len(m.Buttons) > 0 {
		kb := &inlineKeyboard{InlineKeyboard: make([][]inlineButton, len(m.Buttons))}
		for i, row := range m.Buttons {
			kb.InlineKeyboard[i] = make([]inlineButton, len(row))
			for j, b := range row {
				kb.InlineKeyboard[i][j] = inlineButton{Text: b.Text, CallbackData: b.Data}
			}
		}
		req.ReplyMarkup = kb
	}
	return c.post(ctx, method, req)
}

// answers holds buffers to read Telegram's answers into: a message sent or
// edited comes back whole (a KB or two), and only its ID is kept.
var answers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// post makes method with req as its JSON body and returns the ID of the
// message its answer holds (0: none), or the error go-telegram/bot would return.
func (c *textCall) post(ctx context.Context, method string, req any) (int, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return 0, fmt.Errorf("encode %s: %w", method, err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url+method, bytes.NewReader(body))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", method, err)
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(hr)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = method // the URL holds the token
		}
		return 0, fmt.Errorf("%s: %w", method, err)
	}
	defer resp.Body.Close()
	buf := answers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 64<<10 { // an odd large answer is not kept
			answers.Put(buf)
		}
	}()
	buf.Reset()
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, 1<<20)); err != nil {
		return 0, fmt.Errorf("%s: read answer: %w", method, err)
	}
	var r textResponse
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		var other *json.UnmarshalTypeError
		if !errors.As(err, &other) || other.Field != "result" { // a result that is not a message is fine
			return 0, fmt.Errorf("%s: decode answer (HTTP %d): %w", method, resp.StatusCode, err)
		}
	}
	if !r.OK {
		return 0, telegramError(method, r)
	}
	return r.Result.MessageID, nil
}

// callbackAnswer is answerCallbackQuery's request.
type callbackAnswer struct {
	ID   string `json:"callback_query_id"`
	Text string `json:"text,omitempty"`
}

// AnswerCallback answers a tap (answerCallbackQuery), with text as its short
// notice (empty: none). It is on every tap's path, so it goes as one small
// JSON request like the hot sends, not through go-telegram/bot's multipart
// form.
func (s *Sender) AnswerCallback(ctx context.Context, id, text string) error {
	if s.text == nil {
		_, err := s.tg.AnswerCallbackQuery(ctx, &tgbot.AnswerCallbackQueryParams{CallbackQueryID: id, Text: text})
		return err
	}
	_, err := s.text.post(ctx, "answerCallbackQuery", callbackAnswer{ID: id, Text: text})
	return err
}

// telegramError is the error go-telegram/bot would return for r.
func telegramError(method string, r textResponse) error {
	switch r.ErrorCode {
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", tgbot.ErrorForbidden, r.Description)
	case http.StatusBadRequest:
		return fmt.Errorf("%w, %s", tgbot.ErrorBadRequest, r.Description)
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", tgbot.ErrorUnauthorized, r.Description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", tgbot.ErrorNotFound, r.Description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", tgbot.ErrorConflict, r.Description)
	case http.StatusTooManyRequests:
		return &tgbot.TooManyRequestsError{Message: fmt.Sprintf("%s, %s", tgbot.ErrorTooManyRequests, r.Description),
			RetryAfter: r.Parameters.RetryAfter}
	}
	return fmt.Errorf("error response from telegram for method %s, %d %s", method, r.ErrorCode, r.Description)
}
