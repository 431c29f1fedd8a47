package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// The coach's side of the relationship: /afspraak and /verwijzing, the
// buttons on a student's card (agreement, referral, referral status, close
// a case), the text a button waits for; and the student's /afspraken and
// /start after /stop.
// Their callback data: callbacks.go.

// dataRestart is the student's "start again" button after /stop.
const dataRestart = prefixRestart + "y"

// What a coach's next text is for (store.AwaitText).
const (
	awaitAgreement = "agreement:" // + student ID
	awaitRefNote   = "refnote:"   // + referral ID
)

// relationCommand handles /afspraak and /verwijzing; ok is false for other commands.
func (b *Bot) relationCommand(ctx context.Context, x *in, cmd, arg string) (bool, error) {
	switch cmd {
	case "afspraak", "agreement":
		return true, b.cmdAfspraak(ctx, x, arg)
	case "verwijzing", "referral":
		return true, b.cmdVerwijzing(ctx, x, arg)
	case "sluit", "close":
		if strings.TrimSpace(arg) == "" {
			return true, b.closeChoices(ctx, x)
		}
	}
	return false, nil
}

// studentPrefix finds the student named at the start of text (an ID, or
// one to three words of a name) and returns the rest. It replies itself
// when nobody fits, and then returns ok=false.
func (b *Bot) studentPrefix(ctx context.Context, x *in, text, usage string) (store.Student, string, bool, error) {
	lang := x.conv.Lang
	words := strings.Fields(text)
	if len(words) == 0 {
		return store.Student{}, "", false, b.coachReply(ctx, x, b.t(lang, usage, nil))
	}
	ambiguous := false
	for n := min(3, len(words)); n >= 1; n-- {
		s, err := b.st.FindStudentFor(ctx, x.conv.ID, strings.Join(words[:n], " "))
		switch {
		case err == nil:
			return s, strings.Join(words[n:], " "), true, nil
		case errors.Is(err, store.ErrAmbiguous):
			ambiguous = true
		case !errors.Is(err, store.ErrNotFound):
			return store.Student{}, "", false, err
		}
		if ambiguous {
			break
		}
	}
	key := "coach.student.not_found"
	if ambiguous {
		key = "coach.student.ambiguous"
	}
	return store.Student{}, "", false, b.coachReply(ctx, x, b.t(lang, key, map[string]any{"Query": clip(words[0], 60)}))
}

// cmdAfspraak: /afspraak NAAM wat [tot DATUM | DATUM].
func (b *Bot) cmdAfspraak(ctx context.Context, x *in, arg string) error {
	s, rest, ok, err := b.studentPrefix(ctx, x, arg, "agree.agreement.usage")
	if !ok || err != nil {
		return err
	}
	if strings.TrimSpace(rest) == "" { // only the name: ask for it
		return b.askAgreement(ctx, x, s)
	}
	return b.addAgreement(ctx, x, s, rest)
}

func (b *Bot) askAgreement(ctx context.Context, x *in, s store.Student) error {
	if err := b.awaitText(ctx, x, awaitAgreement+strconv.FormatInt(s.ID, 10)); err != nil {
		return err
	}
	return b.coachReply(ctx, x, b.t(x.conv.Lang, "agree.agreement.ask", map[string]any{"Student": firstName(s.Name)}))
}

// addAgreement records the agreement in text ("wat tot datum") with s and
// tells the coach and the student.
func (b *Bot) addAgreement(ctx context.Context, x *in, s store.Student, text string) error {
	lang := x.conv.Lang
	now := b.cfg.Now().In(b.cfg.Zone)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, b.cfg.Zone)
	what, due, dated := splitDate(text, today)
	if !dated {
		due = today.AddDate(0, 0, 7)
	}
	what = clip(strings.Join(strings.Fields(what), " "), 300)
	if what == "" {
		return b.coachReply(ctx, x, b.t(lang, "agree.agreement.usage", nil))
	}
	askAfter := due.AddDate(0, 0, 1) // the end of that day, where the student lives
	dueOn := time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)
	a, err := b.st.AddAgreement(ctx, s.ID, x.conv.ID, what, dueOn, askAfter)
	if err != nil {
		return err
	}
	b.log.InfoContext(ctx, "agreement added", "agreement_id", a.ID, "student_id", s.ID, "coach_id", x.conv.ID)
	data := map[string]any{"Student": firstName(s.Name), "What": what, "Date": b.dayDate(lang, due), "Coach": x.conv.Name}
	reply := b.t(lang, "agree.agreement.added", data)
	if !dated {
		reply += "\n" + b.t(lang, "agree.agreement.no_date", data)
	}
	var more []store.Message
	if s.ChatID != 0 && (s.Status == store.StatusActive || s.Status == store.StatusPaused) {
		me, err := b.st.Coach(ctx, x.conv.ID)
		if err != nil {
			return err
		}
		more = append(more, store.Message{ChatID: s.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: clip(b.t(s.Lang, "agree.agreement.to_student", map[string]any{"Name": firstName(s.Name), "Coach": firstName(me.Name),
				"What": what, "Date": b.dayDate(s.Lang, due)}), 4000)})
	}
	return b.coachReply(ctx, x, reply, more...)
}

// dayDate is "vr 15-12".
func (b *Bot) dayDate(lang string, t time.Time) string {
	return b.t(lang, "agree.day."+strconv.Itoa(int(t.Weekday())), nil) + " " + t.Format("02-01")
}

// referralKind reads a kind as a coach types it; ok is false when it is none.
func referralKind(word string) (string, bool) {
	w := strings.ToLower(strings.Trim(word, ".,:;!?"))
	for _, k := range [][2]string{
		{"jobcoach", "jobcoach"}, {"jobcoaching", "jobcoach"}, {"job", "jobcoach"},
		{"schuldhulp", "schuldhulp"}, {"schuldhulpverlening", "schuldhulp"}, {"schulden", "schuldhulp"}, {"schuld", "schuldhulp"},
		{"budgetcoach", "schuldhulp"}, {"budget", "schuldhulp"}, {"debt", "schuldhulp"},
		{"uwv", "uwv"},
		{"gemeente", "gemeente"}, {"wijkteam", "gemeente"}, {"jongerenloket", "gemeente"}, {"sociaal", "gemeente"}, {"municipality", "gemeente"},
		{"hulpverlening", "hulpverlening"}, {"hulp", "hulpverlening"}, {"ggz", "hulpverlening"}, {"zorg", "hulpverlening"},
		{"jeugdzorg", "hulpverlening"}, {"psycholoog", "hulpverlening"}, {"care", "hulpverlening"},
		{"anders", "other"}, {"overig", "other"}, {"other", "other"},
	} {
		if w == k[0] {
			return k[1], true
		}
	}
	return "", false
}

// cmdVerwijzing: /verwijzing NAAM soort notitie.
func (b *Bot) cmdVerwijzing(ctx context.Context, x *in, arg string) error {
	s, rest, ok, err := b.studentPrefix(ctx, x, arg, "agree.referral.usage")
	if !ok || err != nil {
		return err
	}
	words := strings.Fields(rest)
	if len(words) == 0 {
		return b.kindChoice(ctx, x, s)
	}
	kind, known := referralKind(words[0])
	note := strings.Join(words[1:], " ")
	if !known {
		kind, note = "other", rest
	}
	return b.addReferral(ctx, x, s, kind, note)
}

func (b *Bot) kindChoice(ctx context.Context, x *in, s store.Student) error {
	lang := x.conv.Lang
	var rows [][]store.Button
	for _, k := range store.ReferralKinds {
		rows = append(rows, []store.Button{{Text: b.t(lang, "agree.referral.kind."+k, nil),
			Data: prefixRefKind + strconv.FormatInt(s.ID, 10) + ":" + k}})
	}
	return b.coachReplyButtons(ctx, x, b.t(lang, "agree.referral.choose_kind", map[string]any{"Student": firstName(s.Name)}), rows)
}

func (b *Bot) addReferral(ctx context.Context, x *in, s store.Student, kind, note string) error {
	lang := x.conv.Lang
	f, ok := b.flows.Current(flows.Standard)
	if !ok {
		return fmt.Errorf("flow %q not found", flows.Standard)
	}
	after := f.ReferralFollowUp()
	r, err := b.st.AddReferral(ctx, s.ID, x.conv.ID, kind, clip(strings.TrimSpace(note), 500), b.cfg.Now().Add(after))
	if err != nil {
		return err
	}
	b.log.InfoContext(ctx, "referral added", "referral_id", r.ID, "student_id", s.ID, "coach_id", x.conv.ID)
	text := b.t(lang, "agree.referral.added", map[string]any{"Student": firstName(s.Name),
		"Kind": b.t(lang, "agree.referral.kind."+kind, nil), "Weeks": int(after / (7 * 24 * time.Hour))})
	if note == "" {
		if err := b.awaitText(ctx, x, awaitRefNote+strconv.FormatInt(r.ID, 10)); err != nil {
			return err
		}
		text += "\n" + b.t(lang, "agree.referral.ask_note", nil)
	}
	return b.coachReply(ctx, x, text)
}

// relationText handles a coach's text that a button waits for; ok is false
// when none waits.
func (b *Bot) relationText(ctx context.Context, x *in) (bool, error) {
	m := x.u.Message
	if m == nil || strings.TrimSpace(m.Text) == "" || strings.HasPrefix(m.Text, "/") {
		return false, nil
	}
	what, err := b.st.TakeAwaitText(ctx, x.chatID)
	if err != nil || what == "" {
		return false, err
	}
	kind, idText, _ := strings.Cut(what, ":")
	id, _ := strconv.ParseInt(idText, 10, 64)
	switch kind + ":" {
	case awaitAgreement:
		s, err := b.st.FindStudentFor(ctx, x.conv.ID, "#"+strconv.FormatInt(id, 10))
		if err != nil {
			return false, nil // no longer theirs: treat as any text
		}
		return true, b.addAgreement(ctx, x, s, m.Text)
	case awaitRefNote:
		if err := b.st.SetReferralNote(ctx, id, clip(strings.TrimSpace(m.Text), 500)); err != nil {
			return true, err
		}
		return true, b.coachReply(ctx, x, b.t(x.conv.Lang, "agree.referral.note_saved", nil))
	}
	return false, nil
}

// relationTap handles a coach's tap on a card button: prefix is one of the
// prefixes of relation's buttons (callbacks.go), rest the data after it.
func (b *Bot) relationTap(ctx context.Context, x *in, prefix, rest string) error {
	idText, arg, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return b.staleTap(ctx, x)
	}
	switch prefix {
	case prefixAgreement, prefixReferral, prefixRefKind:
		s, err := b.st.FindStudentFor(ctx, x.conv.ID, "#"+idText)
		if err != nil {
			b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
			return nil
		}
		b.answerCallback(ctx, x, "")
		switch prefix {
		case prefixAgreement:
			return b.askAgreement(ctx, x, s)
		case prefixReferral:
			return b.kindChoice(ctx, x, s)
		}
		if !slices.Contains(store.ReferralKinds, arg) {
			return nil
		}
		return b.addReferral(ctx, x, s, arg, "")
	}
	if prefix == prefixAgreeClose || prefix == prefixAgreeClosed {
		return b.agreementCloseTap(ctx, x, prefix, id, arg)
	}
	r, err := b.st.Referral(ctx, id)
	if err == nil {
		_, err = b.st.FindStudentFor(ctx, x.conv.ID, "#"+strconv.FormatInt(r.StudentID, 10))
	}
	if err != nil {
		b.answerCallback(ctx, x, b.t(x.conv.Lang, "coach.not_allowed", nil))
		return nil
	}
	lang := x.conv.Lang
	if prefix == prefixRefStatus {
		var rows [][]store.Button
		for _, st := range store.ReferralStatuses {
			rows = append(rows, []store.Button{{Text: b.t(lang, "agree.referral.status."+st, nil),
				Data: prefixRefSetState + idText + ":" + st}})
		}
		b.answerCallback(ctx, x, "")
		return b.coachReplyButtons(ctx, x, b.t(lang, "agree.referral.choose_status",
			map[string]any{"Kind": b.t(lang, "agree.referral.kind."+r.Kind, nil)}), rows)
	}
	if !slices.Contains(store.ReferralStatuses, arg) {
		return b.staleTap(ctx, x)
	}
	if r, err = b.st.SetReferralStatus(ctx, id, arg); err != nil {
		return err
	}
	b.log.InfoContext(ctx, "referral status", "referral_id", id, "coach_id", x.conv.ID, "status", arg)
	return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
		Text: b.t(lang, "agree.referral.status_set", map[string]any{"Kind": b.t(lang, "agree.referral.kind."+r.Kind, nil),
			"Status": b.t(lang, "agree.referral.status."+r.Status, nil)})})
}

func (b *Bot) coachReplyButtons(ctx context.Context, x *in, text string, rows [][]store.Button) error {
	_, err := b.record(ctx, x, store.Record{Out: []store.Message{x.reply(text, rows...)}})
	return err
}

// closeChoices answers /sluit without a number: the coach's taken cases as
// buttons (the same close button as on the alert).
func (b *Bot) closeChoices(ctx context.Context, x *in) error {
	lang := x.conv.Lang
	cs, err := b.st.OpenCasesTakenBy(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		return b.coachReply(ctx, x, b.t(lang, "agree.close.none", nil))
	}
	var rows [][]store.Button
	for _, c := range cs {
		rows = append(rows, []store.Button{{Text: severityIcon[c.Severity] + " " + c.TakenBy, Data: "x:" + strconv.FormatInt(c.ID, 10)}})
	}
	return b.coachReplyButtons(ctx, x, b.t(lang, "agree.close.choose", nil), rows)
}

// studentCard is the text and buttons of a student's card: the timeline,
// and buttons to record an agreement or referral, change a referral's
// status and close the open case.
func (b *Bot) studentCard(ctx context.Context, coachID int64, lang string, s store.Student) (string, [][]store.Button, error) {
	text, err := NewTimeline(b.st, b.loc, b.flows, b.cfg.Zone).Text(ctx, lang, s, 3900)
	if err != nil {
		return "", nil, err
	}
	sid := strconv.FormatInt(s.ID, 10)
	rows := [][]store.Button{{
		{Text: b.t(lang, "agree.button.agreement", nil), Data: prefixAgreement + sid},
		{Text: b.t(lang, "agree.button.referral", nil), Data: prefixReferral + sid},
	}}
	open, err := b.st.Agreements(ctx, s.ID, true)
	if err != nil {
		return "", nil, err
	}
	for i, a := range open {
		if i == 3 {
			break
		}
		rows = append(rows, []store.Button{{Text: "📝 " + clip(a.What, 40) + " ✏️", Data: prefixAgreeClose + strconv.FormatInt(a.ID, 10)}})
	}
	refs, err := b.st.Referrals(ctx, s.ID)
	if err != nil {
		return "", nil, err
	}
	n := 0
	for i := len(refs) - 1; i >= 0 && n < 3; i-- {
		r := refs[i]
		if r.Status == "afgerond" || r.Status == "gestopt" {
			continue
		}
		n++
		rows = append(rows, []store.Button{{Text: "🤝 " + b.t(lang, "agree.referral.kind."+r.Kind, nil) + ": " +
			b.t(lang, "agree.referral.status."+r.Status, nil) + " ✏️", Data: prefixRefStatus + strconv.FormatInt(r.ID, 10)}})
	}
	cs, err := b.st.StudentCases(ctx, s.ID, 1)
	if err != nil {
		return "", nil, err
	}
	if len(cs) == 1 && cs[0].Status == store.AlertTaken {
		rows = append(rows, []store.Button{{Text: b.t(lang, "coach.alert.close", nil), Data: "x:" + strconv.FormatInt(cs[0].ID, 10)}})
	}
	return text, rows, nil
}

// relationStudentCommand handles a student's /afspraken and /start; ok is
// false for other commands.
func (b *Bot) relationStudentCommand(ctx context.Context, x *in, cmd string) (bool, error) {
	lang := x.conv.Lang
	switch cmd {
	case "afspraken", "agreements":
		as, err := b.st.Agreements(ctx, x.conv.ID, true)
		if err != nil {
			return true, err
		}
		if len(as) == 0 {
			return true, b.replyAll(ctx, x, x.reply(b.t(lang, "agree.mine.none", map[string]any{"Coach": x.conv.Coach})))
		}
		var sb strings.Builder
		sb.WriteString(b.t(lang, "agree.mine.title", map[string]any{"Count": len(as)}))
		for _, a := range as {
			due := time.Date(a.DueOn.Year(), a.DueOn.Month(), a.DueOn.Day(), 0, 0, 0, 0, b.cfg.Zone)
			sb.WriteString("\n• " + b.t(lang, "agree.mine.line", map[string]any{"What": a.What, "Date": b.dayDate(lang, due),
				"Coach": firstName(a.CoachName)}))
		}
		return true, b.replyAll(ctx, x, x.reply(clip(sb.String(), 4000)))
	case "start":
		s, err := b.st.Student(ctx, x.conv.ID)
		if err != nil {
			return true, err
		}
		switch s.Status {
		case store.StatusStopped:
			return true, b.replyAll(ctx, x, x.reply(b.t(lang, "agree.start.stopped", map[string]any{"Coach": x.conv.Coach}),
				[]store.Button{{Text: b.t(lang, "agree.start.again", nil), Data: dataRestart}}))
		case store.StatusPaused:
			p, err := b.st.StudentPauseStop(ctx, s.ID)
			if err != nil {
				return true, err
			}
			return true, b.replyAll(ctx, x, x.reply(b.t(lang, "agree.start.paused", map[string]any{"Date": b.localDate(p.PausedUntil)}),
				[]store.Button{{Text: b.t(lang, "agree.start.resume", nil), Data: prefixPause + "r"}}))
		}
	}
	return false, nil
}

// restartTap handles the student's "start again" (go:y).
func (b *Bot) restartTap(ctx context.Context, x *in, rest string) error {
	if prefixRestart+rest != dataRestart {
		return b.staleTap(ctx, x)
	}
	lang := x.conv.Lang
	ok, err := b.st.RestartStudent(ctx, x.conv.ID)
	if err != nil {
		return err
	}
	key := "agree.start.restarted"
	if !ok {
		key = "agree.start.not_stopped"
	}
	_ = b.st.ForgetConv(ctx, x.chatID)
	b.log.InfoContext(ctx, "check-ins restarted", "student_id", x.conv.ID, "restarted", ok)
	if err := b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
		Text: b.t(lang, key, map[string]any{"Coach": x.conv.Coach})}); err != nil {
		return err
	}
	if ok {
		b.kick(ctx) // plans their check-ins now
	}
	return nil
}

// agreementCloseTap lets a coach close an open agreement as done or dropped:
// check-ins no longer ask about it.
func (b *Bot) agreementCloseTap(ctx context.Context, x *in, prefix string, id int64, arg string) error {
	lang := x.conv.Lang
	a, err := b.st.Agreement(ctx, id)
	if err == nil {
		_, err = b.st.FindStudentFor(ctx, x.conv.ID, "#"+strconv.FormatInt(a.StudentID, 10))
	}
	if err != nil {
		b.answerCallback(ctx, x, b.t(lang, "coach.not_allowed", nil))
		return nil
	}
	idText := strconv.FormatInt(id, 10)
	if prefix == prefixAgreeClose {
		b.answerCallback(ctx, x, "")
		return b.coachReplyButtons(ctx, x, b.t(lang, "agree.agreement.close_ask", map[string]any{"What": a.What}),
			[][]store.Button{{{Text: b.t(lang, "agree.agreement.close_done", nil), Data: prefixAgreeClosed + idText + ":" + store.AgreementDone},
				{Text: b.t(lang, "agree.agreement.close_dropped", nil), Data: prefixAgreeClosed + idText + ":" + store.AgreementDropped}}})
	}
	if arg != store.AgreementDone && arg != store.AgreementDropped {
		return b.staleTap(ctx, x)
	}
	err = b.st.CloseAgreement(ctx, id, arg)
	if errors.Is(err, store.ErrNotFound) { // closed already
		return b.staleTap(ctx, x)
	}
	if err != nil {
		return err
	}
	b.log.InfoContext(ctx, "agreement closed", "agreement_id", id, "coach_id", x.conv.ID, "status", arg)
	return b.tapReply(ctx, x, store.Message{ChatID: x.chatID, Lane: store.LaneInteractive, Kind: store.KindEdit,
		Text: b.t(lang, "agree.agreement.closed", map[string]any{"What": a.What, "Status": b.t(lang, "agree.status."+arg, nil)})})
}

// relationData adds a student's agreements and referrals to their data (/mijngegevens).
func (b *Bot) relationData(ctx context.Context, lang string, studentID int64, doc *strings.Builder) error {
	as, err := b.st.Agreements(ctx, studentID, false)
	if err != nil {
		return err
	}
	rs, err := b.st.Referrals(ctx, studentID)
	if err != nil {
		return err
	}
	if len(as) > 0 {
		doc.WriteString("\n" + b.t(lang, "agree.data.agreements", nil) + "\n")
	}
	for _, a := range as {
		fmt.Fprintf(doc, "%s\t%s\t%s\t%s\n", a.CreatedAt.In(b.cfg.Zone).Format("2006-01-02"), a.DueOn.Format("2006-01-02"),
			a.Status, strings.ReplaceAll(a.What, "\n", " "))
	}
	if len(rs) > 0 {
		doc.WriteString("\n" + b.t(lang, "agree.data.referrals", nil) + "\n")
	}
	for _, r := range rs {
		fmt.Fprintf(doc, "%s\t%s\t%s\t%s\n", r.CreatedAt.In(b.cfg.Zone).Format("2006-01-02"), r.Kind, r.Status,
			strings.ReplaceAll(r.Note, "\n", " "))
	}
	return nil
}

// awaitText makes the coach's next text what: a pending case note is dropped
// (the last button tapped wins).
func (b *Bot) awaitText(ctx context.Context, x *in, what string) error {
	if _, err := b.st.TakeCloseNote(ctx, x.chatID); err != nil {
		return err
	}
	return b.st.AwaitText(ctx, x.chatID, what)
}
