package bot

import (
	"context"

	tgbot "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

var (
	studentCommands = []string{"start", "help", "moment", "pauze", "stop", "taal", "mijngegevens", "afspraken"}
	coachCommands   = []string{"overzicht", "student", "checkin", "bericht", "afspraak", "verwijzing", "sluit", "vervanger", "dienst", "help"}
)

func (b *Bot) commandList(lang string, names []string, area string) []models.BotCommand {
	out := make([]models.BotCommand, 0, len(names))
	for _, n := range names {
		out = append(out, models.BotCommand{Command: n, Description: b.t(lang, area+".command."+n, nil)})
	}
	return out
}

// SetCommands tells Telegram the students' commands (the default for every
// private chat), in Dutch and English. Coaches get theirs per chat when they link.
func (b *Bot) SetCommands(ctx context.Context) {
	for _, lang := range b.loc.Languages() {
		p := &tgbot.SetMyCommandsParams{Commands: b.commandList(lang, studentCommands, "bot"),
			Scope: &models.BotCommandScopeAllPrivateChats{}}
		if lang != "nl" {
			p.LanguageCode = lang
		}
		if _, err := b.tg.SetMyCommands(ctx, p); err != nil {
			b.log.WarnContext(ctx, "setMyCommands", "lang", lang, "err", err)
		}
	}
}

// setCoachCommands gives a coach's chat the coaches' commands.
func (b *Bot) setCoachCommands(ctx context.Context, chatID int64, lang string) {
	_, err := b.tg.SetMyCommands(ctx, &tgbot.SetMyCommandsParams{Commands: b.commandList(lang, coachCommands, "coach"),
		Scope: &models.BotCommandScopeChat{ChatID: chatID}})
	if err != nil {
		b.log.WarnContext(ctx, "setMyCommands for coach", "chat_id", chatID, "err", err)
	}
}
