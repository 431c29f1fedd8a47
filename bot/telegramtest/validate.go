package telegramtest

import (
	"encoding/json"
	"net/url"
	"strings"
	"unicode/utf16"

	"github.com/go-telegram/bot/models"
)

// Telegram's limits, counted in UTF-16 code units after entity parsing.
const (
	maxText         = 4096
	maxCaption      = 1024
	maxCallbackData = 64 // bytes
	maxAnswerText   = 200
)

// utf16Len counts UTF-16 code units, as Telegram does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// formatted is a text or caption parameter after parse_mode processing.
type formatted struct {
	raw     string
	visible string
	mode    string
}

// readFormatted reads p[key] with p["parse_mode"] and checks its length.
func readFormatted(p params, key string, limit int) (formatted, *apiError) {
	f := formatted{raw: p.str(key), mode: p.str("parse_mode")}
	var aerr *apiError
	f.visible, aerr = visibleText(f.raw, f.mode)
	if aerr != nil {
		return f, aerr
	}
	if utf16Len(f.visible) > limit {
		if key == "caption" {
			return f, badRequest("message caption is too long")
		}
		return f, badRequest("message is too long")
	}
	return f, nil
}

// readText reads the text parameter of sendMessage and editMessageText.
func readText(p params) (formatted, *apiError) {
	if p.str("text") == "" {
		return formatted{}, badRequest("message text is empty")
	}
	f, aerr := readFormatted(p, "text", maxText)
	if aerr == nil && strings.TrimSpace(f.visible) == "" {
		aerr = badRequest("message must be non-empty")
	}
	return f, aerr
}

func visibleText(text, mode string) (string, *apiError) {
	var (
		out string
		err error
	)
	switch strings.ToLower(mode) {
	case "":
		return text, nil
	case "html":
		out, err = parseHTML(text)
	case "markdownv2":
		out, err = parseMarkdownV2(text)
	case "markdown":
		out, err = parseMarkdown(text)
	default:
		return "", badRequest("unsupported parse_mode")
	}
	if err != nil {
		return "", badRequest("can't parse entities: %v", err)
	}
	return out, nil
}

// markup is a validated reply_markup parameter.
type markup struct {
	isInline bool
	inline   *models.InlineKeyboardMarkup // nil if it has no buttons
	reply    [][]string
}

// rawMarkup is any of the four reply_markup objects.
type rawMarkup struct {
	InlineKeyboard [][]rawButton       `json:"inline_keyboard"`
	Keyboard       [][]json.RawMessage `json:"keyboard"`
	RemoveKeyboard bool                `json:"remove_keyboard"`
	ForceReply     bool                `json:"force_reply"`
}

// rawButton is an inline keyboard button with field presence kept.
type rawButton struct {
	Text                         string          `json:"text"`
	CallbackData                 *string         `json:"callback_data"`
	URL                          string          `json:"url"`
	WebApp                       json.RawMessage `json:"web_app"`
	LoginURL                     json.RawMessage `json:"login_url"`
	SwitchInlineQuery            *string         `json:"switch_inline_query"`
	SwitchInlineQueryCurrentChat *string         `json:"switch_inline_query_current_chat"`
	SwitchInlineQueryChosenChat  json.RawMessage `json:"switch_inline_query_chosen_chat"`
	CopyText                     *struct {
		Text string `json:"text"`
	} `json:"copy_text"`
	CallbackGame json.RawMessage `json:"callback_game"`
	Pay          bool            `json:"pay"`
}

// readMarkup reads reply_markup; nil if absent.
func readMarkup(p params) (*markup, *apiError) {
	raw := p.str("reply_markup")
	if raw == "" {
		return nil, nil
	}
	errParse := badRequest("can't parse reply keyboard markup JSON object")
	var rm rawMarkup
	if json.Unmarshal([]byte(raw), &rm) != nil {
		return nil, errParse
	}
	switch {
	case rm.InlineKeyboard != nil:
		return inlineMarkup(raw, rm.InlineKeyboard)
	case rm.Keyboard != nil:
		return replyMarkup(rm.Keyboard)
	case rm.RemoveKeyboard, rm.ForceReply:
		return &markup{}, nil
	}
	return nil, errParse
}

func inlineMarkup(raw string, rows [][]rawButton) (*markup, *apiError) {
	for _, row := range rows {
		for _, b := range row {
			if aerr := b.check(); aerr != nil {
				return nil, aerr
			}
		}
	}
	kb := &models.InlineKeyboardMarkup{}
	if json.Unmarshal([]byte(raw), kb) != nil {
		return nil, badRequest("can't parse inline keyboard button")
	}
	m := &markup{isInline: true, inline: kb}
	if len(kb.InlineKeyboard) == 0 {
		m.inline = nil
	}
	return m, nil
}

func (b rawButton) check() *apiError {
	if strings.TrimSpace(b.Text) == "" {
		return badRequest("BUTTON_TEXT_INVALID")
	}
	if b.CallbackData != nil && (*b.CallbackData == "" || len(*b.CallbackData) > maxCallbackData) {
		return badRequest("BUTTON_DATA_INVALID")
	}
	if b.URL != "" && !validButtonURL(b.URL) {
		return badRequest("BUTTON_URL_INVALID")
	}
	if b.actions() == 0 {
		return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
	}
	return nil
}

// actions counts the optional fields set; Telegram wants exactly one.
func (b rawButton) actions() int {
	n := 0
	for _, set := range []bool{
		b.CallbackData != nil, b.URL != "", present(b.WebApp), present(b.LoginURL),
		b.SwitchInlineQuery != nil, b.SwitchInlineQueryCurrentChat != nil,
		present(b.SwitchInlineQueryChosenChat), present(b.CallbackGame), b.Pay,
		// go-telegram/bot always sends "copy_text":{"text":""}.
		b.CopyText != nil && b.CopyText.Text != "",
	} {
		if set {
			n++
		}
	}
	return n
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

func validButtonURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "http", "https":
		return u.Host != ""
	case "tg":
		return true
	}
	return false
}

func replyMarkup(rows [][]json.RawMessage) (*markup, *apiError) {
	m := &markup{reply: make([][]string, len(rows))}
	for i, row := range rows {
		for _, raw := range row {
			var b struct {
				Text string `json:"text"`
			}
			if json.Unmarshal(raw, &b.Text) != nil && json.Unmarshal(raw, &b) != nil {
				return nil, badRequest("can't parse keyboard button")
			}
			if b.Text == "" {
				return nil, badRequest("BUTTON_TEXT_INVALID")
			}
			m.reply[i] = append(m.reply[i], b.Text)
		}
	}
	return m, nil
}

// inlineOnly returns the inline keyboard of a markup for the edit methods,
// which accept nothing else.
func inlineOnly(m *markup) (*models.InlineKeyboardMarkup, *apiError) {
	if m == nil {
		return nil, nil
	}
	if !m.isInline {
		return nil, badRequest("inline keyboard expected")
	}
	return m.inline, nil
}

func sameKeyboard(a, b *models.InlineKeyboardMarkup) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
