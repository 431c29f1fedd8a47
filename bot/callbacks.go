package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/lijntje/lijntje/store"
)

// Every button Lijntje sends carries one of these as its callback_data. The
// formats never change: buttons stay in chats for months and must still work
// (or get the kind "this button is old" answer). All stay far under
// Telegram's 64 bytes; a flow's answer buttons are checked when it is parsed.
//
// A student's buttons:
//
//	a:<check-in, base 36>:<step>:<option>   an answer (flows.CallbackData): checkin.go
//	contact                                 "I want my coach to get in touch": checkin.go
//	lang:<language>                         a language of /taal: checkin.go
//	m:d:<day>                               the day of the moment (0 Sunday .. 6): schedule.go
//	m:<day>:<part>                          the part of that day: schedule.go
//	p:<weeks> / p:r                         pause 1, 2 or 4 weeks / resume now: schedule.go
//	s:y / s:n                               confirm or cancel /stop: schedule.go
//	crisis:yes / crisis:no / crisis:unsure  the in-between question: crisis.go
//	"go:y"                                  start again after /stop: relation.go
//
// A coach's buttons:
//
//	t:<case>                 take the case on: coach.go
//	h:<student>              the student's card and history: coach.go
//	x:<case>                 close the case; the next text is the note: coach.go
//	k:<case>                 "known, in hand": known.go
//	m:<student>              write to the student; the next text goes: messages.go
//	o:<page>                 a page of /overzicht (1-based): overview.go
//	dienst:aan / dienst:uit  on call or not: trust.go
//	ag:<student>             record an agreement: the next text is it: relation.go
//	rf:<student>             record a referral: choose its kind
//	rk:<student>:<kind>      the kind was chosen: recorded; the next text is its note
//	rs:<referral>            change a referral's status: choose it
//	rt:<referral>:<status>   the status was chosen
//	ac:<agreement>           close an open agreement: choose how
//	ax:<agreement>:<status>  closed as done or dropped (no longer asked)
//
// Someone without a role gets the stranger's reply for any button.
const (
	prefixAnswer      = "a:"
	dataContact       = "contact"
	prefixLang        = "lang:"
	prefixMoment      = "m:"
	prefixPause       = "p:"
	prefixStop        = "s:"
	prefixDoubt       = "crisis:"
	prefixRestart     = "go:"
	prefixTake        = "t:"
	prefixHistory     = "h:"
	prefixClose       = "x:"
	prefixKnown       = "k:"
	prefixWrite       = "m:"
	prefixOverview    = "o:"
	prefixDienst      = "dienst:"
	prefixAgreement   = "ag:"
	prefixReferral    = "rf:"
	prefixRefKind     = "rk:"
	prefixRefStatus   = "rs:"
	prefixRefSetState = "rt:"
	prefixAgreeClose  = "ac:"
	prefixAgreeClosed = "ax:"
)

// tapKey finds a tap's handler: whose button it is and the start of its
// data, up to and including the first ':' (all of it when there is none).
type tapKey struct {
	role   string
	prefix string
}

// tap handles one kind of button; rest is the data after the prefix.
type tap struct {
	handle func(b *Bot, ctx context.Context, x *in, rest string) error
	// ownerChecked: the handler's own record checks that the chat is still
	// the student's; every other student tap checks first (stillTheirs).
	ownerChecked bool
}

// taps is the one table from callback data to handler.
var taps = map[tapKey]tap{
	{store.RoleStudent, prefixAnswer}:  {handle: (*Bot).answerTap, ownerChecked: true},
	{store.RoleStudent, dataContact}:   {handle: (*Bot).contactTap, ownerChecked: true},
	{store.RoleStudent, prefixLang}:    {handle: (*Bot).languageTap},
	{store.RoleStudent, prefixMoment}:  {handle: (*Bot).momentTap},
	{store.RoleStudent, prefixPause}:   {handle: (*Bot).pauseTap},
	{store.RoleStudent, prefixStop}:    {handle: (*Bot).stopTap},
	{store.RoleStudent, prefixDoubt}:   {handle: (*Bot).doubtTap},
	{store.RoleStudent, prefixRestart}: {handle: (*Bot).restartTap},

	{store.RoleCoach, prefixTake}:        {handle: idTap((*Bot).takeOn)},
	{store.RoleCoach, prefixHistory}:     {handle: idTap((*Bot).history)},
	{store.RoleCoach, prefixClose}:       {handle: (*Bot).closeTap},
	{store.RoleCoach, prefixKnown}:       {handle: idTap((*Bot).closeKnown)},
	{store.RoleCoach, prefixWrite}:       {handle: idTap((*Bot).askMessage)},
	{store.RoleCoach, prefixOverview}:    {handle: idTap((*Bot).overviewTap)},
	{store.RoleCoach, prefixDienst}:      {handle: (*Bot).dienstTap},
	{store.RoleCoach, prefixAgreement}:   {handle: relationTap(prefixAgreement)},
	{store.RoleCoach, prefixReferral}:    {handle: relationTap(prefixReferral)},
	{store.RoleCoach, prefixRefKind}:     {handle: relationTap(prefixRefKind)},
	{store.RoleCoach, prefixRefStatus}:   {handle: relationTap(prefixRefStatus)},
	{store.RoleCoach, prefixRefSetState}: {handle: relationTap(prefixRefSetState)},
	{store.RoleCoach, prefixAgreeClose}:  {handle: relationTap(prefixAgreeClose)},
	{store.RoleCoach, prefixAgreeClosed}: {handle: relationTap(prefixAgreeClosed)},
}

// onCallback handles a button tap: it looks its data up in taps. Unknown,
// old or malformed data gets the kind "this button is old" answer.
func (b *Bot) onCallback(ctx context.Context, x *in) error {
	data := x.u.CallbackQuery.Data
	role := x.conv.Role
	switch role {
	case store.RoleNone:
		return b.strangerReply(ctx, x)
	case store.RoleCoach:
	default:
		role = store.RoleStudent
	}
	prefix, rest := data, ""
	if i := strings.IndexByte(data, ':'); i >= 0 {
		prefix, rest = data[:i+1], data[i+1:]
	}
	t, ok := taps[tapKey{role, prefix}]
	if role == store.RoleStudent && !t.ownerChecked {
		if err := b.stillTheirs(ctx, x); err != nil { // stop, pause, moment, language
			return err
		}
	}
	if !ok {
		return b.staleTap(ctx, x)
	}
	return t.handle(b, ctx, x, rest)
}

// idTap is a handler for data "<prefix><ID>", the ID a positive number.
func idTap(handle func(b *Bot, ctx context.Context, x *in, id int64) error) func(*Bot, context.Context, *in, string) error {
	return func(b *Bot, ctx context.Context, x *in, rest string) error {
		id, err := strconv.ParseInt(rest, 10, 64)
		if err != nil || id <= 0 {
			return b.staleTap(ctx, x)
		}
		return handle(b, ctx, x, id)
	}
}

// relationTap is the handler of a button on a student's card: relation.go.
func relationTap(prefix string) func(*Bot, context.Context, *in, string) error {
	return func(b *Bot, ctx context.Context, x *in, rest string) error {
		return b.relationTap(ctx, x, prefix, rest)
	}
}

// answerEarly answers a tap without text at once, while the update is handled:
// the spinner on the student's button stops sooner. Handle waits for it.
func (b *Bot) answerEarly(ctx context.Context, x *in) {
	if x.u.CallbackQuery == nil || x.cbDone != nil {
		return
	}
	x.cbDone = make(chan struct{})
	b.tapGo.Go(func() {
		defer close(x.cbDone)
		b.sendCallbackAnswer(ctx, x, "")
	})
}

// answerCallback answers a button tap; a failure only logs: the tap is handled.
func (b *Bot) answerCallback(ctx context.Context, x *in, text string) {
	if x.u.CallbackQuery == nil || x.cbDone != nil {
		return // answered early already
	}
	b.sendCallbackAnswer(ctx, x, text)
}

func (b *Bot) sendCallbackAnswer(ctx context.Context, x *in, text string) {
	if err := b.send.AnswerCallback(ctx, x.u.CallbackQuery.ID, text); err != nil {
		b.log.WarnContext(ctx, "answer callback", "chat_id", x.chatID, "update_id", x.u.ID, "err", err)
	}
}

// tapReply answers a tap by editing the tapped message into edit (its
// buttons gone unless edit has some), or by a new message when the tapped
// one is not available.
func (b *Bot) tapReply(ctx context.Context, x *in, edit store.Message) error {
	if cq := x.u.CallbackQuery; cq != nil && cq.Message.Message != nil {
		edit.EditMessageID = cq.Message.Message.ID
	} else {
		edit.Kind = store.KindSend
	}
	edit.Text = clip(edit.Text, 4000)
	if err := b.replyAll(ctx, x, edit); err != nil {
		return err
	}
	b.answerCallback(ctx, x, "")
	return nil
}

// staleTap is the kind answer to a button that is old, unknown or malformed.
func (b *Bot) staleTap(ctx context.Context, x *in) error {
	b.answerCallback(ctx, x, b.t(x.conv.Lang, "bot.stale_button", nil))
	return nil
}
