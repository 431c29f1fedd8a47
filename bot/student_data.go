package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/lijntje/lijntje/store"
)

// studentExtraCommand handles the student commands of this file (/taal,
// /mijngegevens); ok is false for any other command.
func (b *Bot) studentExtraCommand(ctx context.Context, x *in, cmd string) (bool, error) {
	switch cmd {
	case "taal", "language", "lang":
		return true, b.cmdTaal(ctx, x)
	case "mijngegevens", "mydata":
		return true, b.cmdMijnGegevens(ctx, x)
	}
	return false, nil
}

// languageTap handles a language button of /taal ("lang:nl", "lang:en").
func (b *Bot) languageTap(ctx context.Context, x *in, lang string) error {
	if !b.hasLanguage(lang) {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
		return nil
	}
	if err := b.st.SetStudentLang(ctx, x.conv.ID, lang); err != nil {
		return err
	}
	conv, err := b.st.ReloadConv(ctx, x.chatID) // the Redis conversation speaks the new language now
	if err != nil {
		return err
	}
	x.conv = conv
	out := []store.Message{x.reply(b.t(lang, "student.taal.set", nil))}
	if m := x.u.CallbackQuery.Message.Message; m != nil {
		out = append([]store.Message{{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
			EditMessageID: m.ID, Text: clip(m.Text, 4000)}}, out...)
	}
	if _, err := b.record(ctx, x, store.Record{Out: out}); err != nil {
		return err
	}
	b.answerCallback(ctx, x, "")
	return nil
}

func (b *Bot) hasLanguage(lang string) bool {
	for _, l := range b.loc.Languages() {
		if l == lang {
			return true
		}
	}
	return false
}

// cmdTaal offers the languages as buttons.
func (b *Bot) cmdTaal(ctx context.Context, x *in) error {
	var row []store.Button
	for _, l := range b.loc.Languages() {
		row = append(row, store.Button{Text: b.t(l, "student.taal.button", nil), Data: prefixLang + l})
	}
	_, err := b.record(ctx, x, store.Record{Out: []store.Message{x.reply(b.t(x.conv.Lang, "student.taal.ask", nil), row)}})
	return err
}

// cmdMijnGegevens sends a student what Lijntje keeps about them: a short message
// and a text document with their profile and every answer. Only their own: the
// student is who the chat is linked to, nothing in the command can name another.
func (b *Bot) cmdMijnGegevens(ctx context.Context, x *in) error {
	s, err := b.st.Student(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	coach, err := b.st.Coach(ctx, s.CoachID)
	if err != nil {
		return err
	}
	rows, err := b.st.RecentAnswers(ctx, s.ID, 10000)
	if err != nil {
		return err
	}
	lang := x.conv.Lang
	left := "-"
	if !s.LeftSchool.IsZero() {
		left = s.LeftSchool.Format("02-01-2006")
	}
	profile := b.t(lang, "student.data.profile", map[string]any{"Name": s.Name, "Coach": coach.Name, "Lang": s.Lang,
		"Status": s.Status, "LeftSchool": left, "Count": len(rows)})
	var doc strings.Builder
	doc.WriteString(profile + "\n\n" + b.t(lang, "student.data.answers", nil) + "\n")
	for _, r := range rows {
		fmt.Fprintf(&doc, "%s\t%s\t%s", r.AnsweredAt.In(b.cfg.Zone).Format("2006-01-02 15:04"), r.Step, r.Option)
		if r.Text != "" {
			doc.WriteString("\t" + strings.ReplaceAll(r.Text, "\n", " "))
		}
		if r.VoiceFileID != "" {
			doc.WriteString("\t" + b.t(lang, "student.data.voice", nil))
		}
		doc.WriteString("\n")
	}
	if err := b.writeMessages(ctx, &doc, lang, s.ID); err != nil { // personal messages: messages.go
		return err
	}
	if err := b.relationData(ctx, lang, s.ID, &doc); err != nil { // agreements and referrals: relation.go
		return err
	}
	out := []store.Message{
		x.reply(clip(b.t(lang, "student.data.intro", nil)+"\n\n"+profile, 4000)),
		{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindDocument, FileName: "mijngegevens.txt",
			File: []byte(doc.String()), Text: b.t(lang, "student.data.caption", nil)},
	}
	b.log.InfoContext(ctx, "student data sent", "student_id", s.ID)
	_, err = b.record(ctx, x, store.Record{Out: out})
	return err
}
