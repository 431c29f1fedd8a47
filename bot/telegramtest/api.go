package telegramtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Call is one request the bot made to the server.
type Call struct {
	Method      string    // canonical method name, e.g. "sendMessage"
	ChatID      int64     // target chat, 0 if the method has none
	At          time.Time // on the server's clock
	Code        int       // 200, or the error_code answered
	Description string    // the error description, "" on success
}

// apiError is an ok:false answer.
type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, desc: "Bad Request: " + fmt.Sprintf(format, args...)}
}

func tooMany(retryAfter int) *apiError {
	retryAfter = max(retryAfter, 1)
	return &apiError{
		code:       http.StatusTooManyRequests,
		desc:       fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		retryAfter: retryAfter,
	}
}

var (
	errBlocked      = &apiError{code: http.StatusForbidden, desc: "Forbidden: bot was blocked by the user"}
	errChatNotFound = &apiError{code: http.StatusBadRequest, desc: "Bad Request: chat not found"}
	errUnauthorized = &apiError{code: http.StatusUnauthorized, desc: "Unauthorized"}
	errNotFound     = &apiError{code: http.StatusNotFound, desc: "Not Found"}
)

// request is one parsed API call.
type request struct {
	ctx    context.Context
	method string
	p      params
	chatID int64     // chat_id if numeric; handlers may set it
	now    time.Time // the server clock when the call was admitted
}

type handler func(s *Server, r *request) (any, *apiError)

// methods maps lower-cased method names (Telegram ignores case) to handlers.
// Handlers run with s.mu held.
var methods = map[string]struct {
	name string
	fn   handler
}{}

func init() {
	for name, fn := range map[string]handler{
		"getMe":                  (*Server).getMe,
		"getUpdates":             (*Server).getUpdates,
		"setWebhook":             (*Server).setWebhook,
		"deleteWebhook":          (*Server).deleteWebhook,
		"getWebhookInfo":         (*Server).getWebhookInfo,
		"sendMessage":            (*Server).sendMessage,
		"sendPhoto":              (*Server).sendPhoto,
		"sendDocument":           (*Server).sendDocument,
		"sendVoice":              (*Server).sendVoice,
		"copyMessage":            (*Server).copyMessage,
		"editMessageText":        (*Server).editMessageText,
		"editMessageReplyMarkup": (*Server).editMessageReplyMarkup,
		"deleteMessage":          (*Server).deleteMessage,
		"answerCallbackQuery":    (*Server).answerCallbackQuery,
		"setMyCommands":          (*Server).setMyCommands,
		"deleteMyCommands":       (*Server).deleteMyCommands,
		"getMyCommands":          (*Server).getMyCommands,
		"sendChatAction":         (*Server).sendChatAction,
		"setChatMenuButton":      (*Server).setChatMenuButton,
	} {
		methods[strings.ToLower(name)] = struct {
			name string
			fn   handler
		}{name, fn}
	}
}

// limited reports whether a method delivers a message to a chat and so
// counts against the rate limits.
func limited(method string) bool {
	switch method {
	case "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "copyMessage",
		"editMessageText", "editMessageReplyMarkup":
		return true
	}
	return false
}

func (s *Server) serveHTTP(w http.ResponseWriter, hr *http.Request) {
	status, body := s.handle(hr)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (s *Server) handle(hr *http.Request) (int, []byte) {
	name, fn, aerr := s.route(hr.URL.Path)
	r := &request{ctx: hr.Context(), method: name}
	if aerr == nil {
		r.p, aerr = parseParams(hr)
		r.chatID = r.p.chatID()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.now = s.now()
	var result any
	if aerr == nil {
		aerr = s.faultLocked(name, r.chatID)
	}
	if aerr == nil {
		result, aerr = fn(s, r)
	}
	s.recordLocked(r, aerr)
	return encode(result, aerr)
}

func (s *Server) route(path string) (string, handler, *apiError) {
	rest, ok := strings.CutPrefix(path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		return path, nil, errNotFound
	}
	if token != s.opts.Token {
		return method, nil, errUnauthorized
	}
	m, ok := methods[strings.ToLower(method)]
	if !ok {
		return method, nil, errNotFound
	}
	return m.name, m.fn, nil
}

func (s *Server) recordLocked(r *request, aerr *apiError) {
	c := Call{Method: r.method, ChatID: r.chatID, At: r.now, Code: http.StatusOK}
	if aerr != nil {
		c.Code, c.Description = aerr.code, aerr.desc
	}
	s.calls = append(s.calls, c)
	s.changed.fire()
}

func encode(result any, aerr *apiError) (int, []byte) {
	if aerr == nil {
		// The result is written into the envelope as it is: a json.RawMessage
		// (getUpdates' batch) is the server's own valid JSON, and marshalling
		// the envelope would compact every update again (the benchmark's
		// double shares the CPU with the bot).
		raw, ok := result.(json.RawMessage)
		var err error
		if !ok {
			raw, err = json.Marshal(result)
		}
		if err == nil && len(raw) == 0 {
			return http.StatusOK, []byte(`{"ok":true}`)
		}
		if err == nil {
			body := make([]byte, 0, len(raw)+len(`{"ok":true,"result":}`))
			body = append(body, `{"ok":true,"result":`...)
			body = append(body, raw...)
			return http.StatusOK, append(body, '}')
		}
		aerr = &apiError{code: http.StatusInternalServerError, desc: "Internal Server Error: " + err.Error()}
	}
	env := envelope{ErrorCode: aerr.code, Description: aerr.desc}
	if aerr.retryAfter > 0 {
		env.Parameters = &respParams{RetryAfter: aerr.retryAfter}
	}
	body, _ := json.Marshal(env)
	return aerr.code, body
}

// Calls returns every API call made so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

func (s *Server) getMe(*request) (any, *apiError) {
	return s.botUser(), nil
}
