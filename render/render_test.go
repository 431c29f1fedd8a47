package render_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/locales"
	"github.com/lijntje/lijntje/render"
	"github.com/lijntje/lijntje/store"
)

func parts(t *testing.T) (*flows.Flow, *locales.Catalog) {
	t.Helper()
	fl, err := flows.Load()
	if err != nil {
		t.Fatal(err)
	}
	loc, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := fl.Current(flows.Standard)
	if !ok {
		t.Fatal("no standard flow")
	}
	return f, loc
}

// A due check-in opens with one message: the opener in the coach's name
// above the first question and its buttons; a manual one on the reminder lane.
func TestOpenerGreetsAndAsksTheFirstQuestion(t *testing.T) {
	f, loc := parts(t)
	now := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	d := store.DueCheckin{CheckinID: 7, ChatID: 1001, StudentName: "Noor Bakker", CoachName: "Sanne de Vries", Lang: "nl"}
	o, err := render.Opener(loc, f, d, now, now.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if o.Step != "mood" || o.FlowID != f.ID || o.Version != f.Version || !o.ExpiresAt.Equal(now.Add(48*time.Hour)) || len(o.Out) != 1 {
		t.Fatalf("opened %+v", o)
	}
	m := o.Out[0]
	opener := loc.T("nl", f.Opener, map[string]any{"Name": "Noor", "Coach": "Sanne"})
	if !strings.HasPrefix(m.Text, opener+"\n\n") || m.Lane != store.LaneBulk || m.CheckinID != 7 || len(m.Buttons) == 0 {
		t.Fatalf("opener message %+v", m)
	}
	d.Manual = true
	if o, _ := render.Opener(loc, f, d, now, now); o.Out[0].Lane != store.LaneReminder {
		t.Fatalf("manual check-in on lane %d", o.Out[0].Lane)
	}
}

// The reminder is a new card with the answers so far; the old card, when
// there is one, loses its buttons and points to the new one.
func TestReminderMovesTheCard(t *testing.T) {
	f, loc := parts(t)
	r := store.Reminder{CheckinID: 7, ChatID: 1001, StudentName: "Noor", CoachName: "Sanne", Lang: "nl", FlowID: f.ID, Version: f.Version, Step: "daytime"}
	msgs, err := render.Reminder(loc, f, r)
	if err != nil || len(msgs) != 1 || msgs[0].Lane != store.LaneReminder || msgs[0].Kind != store.KindSend {
		t.Fatalf("without a card: %+v, %v", msgs, err)
	}
	r.CardMessageID, r.CardText = 42, "Hoi!\n\n"+render.CardMark+"Hoe gaat het? → Goed\n\nVraag?"
	msgs, err = render.Reminder(loc, f, r)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("with a card: %+v, %v", msgs, err)
	}
	if !strings.HasPrefix(msgs[0].Text, render.CardMark+"Hoe gaat het? → Goed\n\n") {
		t.Errorf("the new card lacks the answers so far: %q", msgs[0].Text)
	}
	old := msgs[1]
	if old.Kind != store.KindEdit || old.EditMessageID != 42 || old.Text != loc.T("nl", "card.moved", nil) || len(old.Buttons) != 0 || old.CheckinID != 0 {
		t.Errorf("the old card's edit: %+v", old)
	}
	r.Step = "nope"
	if _, err := render.Reminder(loc, f, r); err == nil {
		t.Error("a step not in the flow rendered")
	}
}
