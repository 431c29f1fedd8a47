package telegramtest

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-telegram/bot/models"
)

var (
	commandName  = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	languageCode = regexp.MustCompile(`^[a-z]{2}$`)
)

// commandsKey is the Commands key of a scope and language_code:
// "default", "all_private_chats", "all_group_chats",
// "all_chat_administrators", "chat:<id>", "chat_administrators:<id>" or
// "chat_member:<chat>:<user>", followed by "/<lang>" if a language is given.
func (s *Server) commandsKey(p params) (string, *apiError) {
	var scope struct {
		Type   string          `json:"type"`
		ChatID json.RawMessage `json:"chat_id"`
		UserID int64           `json:"user_id"`
	}
	if _, err := p.decode("scope", &scope); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	key, aerr := s.scopeKey(scope.Type, strings.Trim(string(scope.ChatID), `"`), scope.UserID)
	if aerr != nil {
		return "", aerr
	}
	lang := p.str("language_code")
	switch {
	case lang == "":
		return key, nil
	case !languageCode.MatchString(lang):
		return "", badRequest("invalid language code specified")
	}
	return key + "/" + lang, nil
}

func (s *Server) scopeKey(typ, chatID string, userID int64) (string, *apiError) {
	switch typ {
	case "", "default":
		return "default", nil
	case "all_private_chats", "all_group_chats", "all_chat_administrators":
		return typ, nil
	case "chat", "chat_administrators", "chat_member":
	default:
		return "", badRequest("wrong BotCommandScope type specified")
	}
	var id int64
	if _, err := fmt.Sscan(chatID, &id); err != nil || s.chats[id] == nil {
		return "", errChatNotFound
	}
	if typ == "chat_member" {
		return fmt.Sprintf("%s:%d:%d", typ, id, userID), nil
	}
	return fmt.Sprintf("%s:%d", typ, id), nil
}

func (s *Server) setMyCommands(r *request) (any, *apiError) {
	var cmds []models.BotCommand
	if ok, err := r.p.decode("commands", &cmds); !ok || err != nil {
		return nil, badRequest("can't parse commands JSON object")
	}
	if aerr := checkCommands(cmds); aerr != nil {
		return nil, aerr
	}
	key, aerr := s.commandsKey(r.p)
	if aerr != nil {
		return nil, aerr
	}
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	return true, nil
}

func checkCommands(cmds []models.BotCommand) *apiError {
	if len(cmds) > 100 {
		return badRequest("too many commands specified")
	}
	for _, c := range cmds {
		if !commandName.MatchString(c.Command) {
			return badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf8.RuneCountInString(strings.TrimSpace(c.Description)); n == 0 || n > 256 {
			return badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	return nil
}

func (s *Server) deleteMyCommands(r *request) (any, *apiError) {
	key, aerr := s.commandsKey(r.p)
	if aerr != nil {
		return nil, aerr
	}
	delete(s.commands, key)
	return true, nil
}

func (s *Server) getMyCommands(r *request) (any, *apiError) {
	key, aerr := s.commandsKey(r.p)
	if aerr != nil {
		return nil, aerr
	}
	return append([]models.BotCommand{}, s.commands[key]...), nil
}

// Commands returns the command lists set with setMyCommands, by scope and
// language. Keys: "default", "all_private_chats",
// "all_group_chats", "all_chat_administrators", "chat:<id>",
// "chat_administrators:<id>", "chat_member:<chat>:<user>", each with
// "/<language_code>" appended when one was given (e.g. "default/nl").
func (s *Server) Commands() map[string][]models.BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]models.BotCommand, len(s.commands))
	for k, cmds := range s.commands {
		out[k] = slices.Clone(cmds)
	}
	return out
}
