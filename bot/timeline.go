package bot

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/store"
)

// TimelineEntry is one line of a student's timeline.
type TimelineEntry struct {
	At   time.Time
	Text string
}

// Timeline gathers a student's history from several sources (check-ins and
// their answers, missed check-ins, cases with their notes, agreements,
// referrals, personal messages, a pause or stop) into one list, for /student and `lijntje
// student show`. Another kind of history is one more source in sources.
type Timeline struct {
	st    *store.Store
	loc   *locales.Catalog
	flows *flows.Catalog
	zone  *time.Location // the deployment's time zone
}

// NewTimeline returns a Timeline reading st, with times in zone.
func NewTimeline(st *store.Store, loc *locales.Catalog, fl *flows.Catalog, zone *time.Location) *Timeline {
	return &Timeline{st: st, loc: loc, flows: fl, zone: zone}
}

// timelineSource returns the entries of one kind about s.
type timelineSource func(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error)

// timelineLimit is how many items each source gives at most.
const timelineLimit = 60

func (tl *Timeline) sources() []timelineSource {
	return []timelineSource{tl.checkins, tl.missed, tl.cases, tl.agreements, tl.referrals, tl.messages, tl.pauseStop}
}

// Entries returns the timeline of s, oldest first.
func (tl *Timeline) Entries(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	var all []TimelineEntry
	for _, src := range tl.sources() {
		es, err := src(ctx, lang, s)
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
	}
	slices.SortStableFunc(all, func(a, b TimelineEntry) int { return a.At.Compare(b.At) })
	return all, nil
}

// Text renders the newest entries of the timeline of s that fit in max
// characters, under a title.
func (tl *Timeline) Text(ctx context.Context, lang string, s store.Student, max int) (string, error) {
	es, err := tl.Entries(ctx, lang, s)
	if err != nil {
		return "", err
	}
	title := tl.t(lang, "agree.timeline.title", map[string]any{"Student": s.Name, "ID": s.ID,
		"Status": tl.t(lang, "coach.status."+s.Status, nil)})
	if len(es) == 0 {
		return title + "\n" + tl.t(lang, "coach.history.empty", nil), nil
	}
	var lines []string
	size := len(title) + 4
	for i := len(es) - 1; i >= 0; i-- {
		line := render.LocalTime(es[i].At, tl.zone) + " " + es[i].Text
		if size+len(line)+1 > max {
			lines = append(lines, "…")
			break
		}
		size += len(line) + 1
		lines = append(lines, line)
	}
	slices.Reverse(lines)
	return title + "\n" + strings.Join(lines, "\n"), nil
}

func (tl *Timeline) t(lang, id string, data map[string]any) string { return tl.loc.T(lang, id, data) }

// label is an answer as a coach reads it: the step's short name and the
// option's label.
func (tl *Timeline) label(lang, step, option, subject string) string {
	name := step
	if key := "coach.step." + step; tl.loc.Has(lang, key) {
		name = tl.t(lang, key, nil)
	}
	if subject != "" {
		name += " “" + clip(tl.subject(lang, step, subject), 80) + "”"
	}
	label := option
	if f, ok := tl.flows.Current(flows.Standard); ok {
		if st, ok := f.StepByID(step); ok {
			if o, ok := st.Option(option); ok {
				label = tl.t(lang, o.Label, nil)
			}
		}
	}
	if label == "" {
		return name
	}
	return name + ": " + label
}

// subject is an agreement's what, or a referral kind's name.
func (tl *Timeline) subject(lang, step, subject string) string {
	if f, ok := tl.flows.Current(flows.Standard); ok {
		if st, ok := f.StepByID(step); ok && st.Kind == flows.KindReferral {
			return tl.kindName(lang, subject)
		}
	}
	return subject
}

func (tl *Timeline) kindName(lang, kind string) string {
	if key := "agree.referral.kind." + kind; tl.loc.Has(lang, key) {
		return tl.t(lang, key, nil)
	}
	return kind
}

// checkins: one entry per check-in with its answers, one per message.
func (tl *Timeline) checkins(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	rows, err := tl.st.TimelineAnswers(ctx, s.ID, timelineLimit*8)
	if err != nil {
		return nil, err
	}
	var out []TimelineEntry
	byCheckin := map[int64]int{} // check-in → index in out
	for _, r := range rows {
		part := tl.label(lang, r.Step, r.Option, r.Subject)
		if r.Text != "" {
			part += " “" + clip(r.Text, 200) + "”"
		}
		if r.VoiceFileID != "" {
			part += " 🎤"
		}
		if r.CheckinID == 0 {
			out = append(out, TimelineEntry{At: r.At, Text: "💬 " + part})
			continue
		}
		if i, ok := byCheckin[r.CheckinID]; ok {
			out[i].Text += " · " + part
			continue
		}
		byCheckin[r.CheckinID] = len(out)
		out = append(out, TimelineEntry{At: r.At, Text: "✅ " + tl.t(lang, "agree.timeline.checkin", nil) + ": " + part})
	}
	return out, nil
}

func (tl *Timeline) missed(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	ts, err := tl.st.MissedCheckins(ctx, s.ID, timelineLimit)
	if err != nil {
		return nil, err
	}
	out := make([]TimelineEntry, 0, len(ts))
	for _, t := range ts {
		out = append(out, TimelineEntry{At: t, Text: "⏳ " + tl.t(lang, "agree.timeline.missed", nil)})
	}
	return out, nil
}

func (tl *Timeline) cases(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	cs, err := tl.st.StudentCases(ctx, s.ID, timelineLimit)
	if err != nil {
		return nil, err
	}
	var out []TimelineEntry
	for _, c := range cs {
		text := severityIcon[c.Severity] + " " + tl.t(lang, "agree.timeline.case", map[string]any{
			"Severity": tl.t(lang, "coach.severity."+c.Severity.String(), nil), "Signals": strings.Join(c.Codes, ", ")})
		if c.TakenBy != "" {
			text += " · " + tl.t(lang, "agree.timeline.case_taken", map[string]any{"Coach": c.TakenBy, "Time": render.LocalTime(c.TakenAt, tl.zone)})
		}
		out = append(out, TimelineEntry{At: c.OpenedAt, Text: text})
		if !c.ClosedAt.IsZero() {
			note := c.CloseNote
			if note == "" {
				note = "—"
			}
			out = append(out, TimelineEntry{At: c.ClosedAt, Text: "✔️ " + tl.t(lang, "agree.timeline.case_closed",
				map[string]any{"Coach": c.TakenBy, "Note": clip(note, 600)})})
		}
	}
	return out, nil
}

func (tl *Timeline) agreements(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	as, err := tl.st.Agreements(ctx, s.ID, false)
	if err != nil {
		return nil, err
	}
	var out []TimelineEntry
	for _, a := range as {
		text := "📝 " + tl.t(lang, "agree.timeline.agreement", map[string]any{"What": clip(a.What, 200),
			"Date": a.DueOn.Format("02-01"), "Coach": firstName(a.CoachName),
			"Status": tl.t(lang, "agree.status."+a.Status, nil)})
		if a.LastAnswer != "" {
			text += " · " + tl.label(lang, "agreement", a.LastAnswer, "")
		}
		out = append(out, TimelineEntry{At: a.CreatedAt, Text: text})
	}
	return out, nil
}

// messages are the personal messages between the student and a coach (messages.go).
func (tl *Timeline) messages(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	ms, err := tl.st.StudentMessages(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	if len(ms) > timelineLimit {
		ms = ms[len(ms)-timelineLimit:]
	}
	var out []TimelineEntry
	for _, m := range ms {
		key := "agree.timeline.message_from_coach"
		if m.Direction == store.ToCoach {
			key = "agree.timeline.message_to_coach"
		}
		out = append(out, TimelineEntry{At: m.At, Text: "💬 " + tl.t(lang, key, map[string]any{
			"Coach": firstName(m.CoachName), "Student": firstName(s.Name), "Text": clip(strings.ReplaceAll(m.Text, "\n", " "), 200)})})
	}
	return out, nil
}

func (tl *Timeline) referrals(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	rs, err := tl.st.Referrals(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	var out []TimelineEntry
	for _, r := range rs {
		text := "🤝 " + tl.t(lang, "agree.timeline.referral", map[string]any{"Kind": tl.kindName(lang, r.Kind),
			"Coach": firstName(r.CoachName), "Status": tl.t(lang, "agree.referral.status."+r.Status, nil)})
		if r.Note != "" {
			text += " “" + clip(r.Note, 200) + "”"
		}
		if r.LastAnswer != "" {
			text += " · " + tl.label(lang, "referral", r.LastAnswer, "")
		}
		out = append(out, TimelineEntry{At: r.CreatedAt, Text: text})
	}
	return out, nil
}

func (tl *Timeline) pauseStop(ctx context.Context, lang string, s store.Student) ([]TimelineEntry, error) {
	p, err := tl.st.StudentPauseStop(ctx, s.ID)
	if err != nil {
		return nil, err
	}
	var out []TimelineEntry
	if !p.StoppedAt.IsZero() {
		out = append(out, TimelineEntry{At: p.StoppedAt, Text: "⏹️ " + tl.t(lang, "agree.timeline.stopped", nil)})
	}
	if !p.PausedUntil.IsZero() {
		out = append(out, TimelineEntry{At: tl.st.Now(), Text: "⏸️ " + tl.t(lang, "agree.timeline.paused",
			map[string]any{"Date": p.PausedUntil.In(tl.zone).Format("02-01-2006")})})
	}
	return out, nil
}
