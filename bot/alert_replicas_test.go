package bot_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lijntje/lijntje/bot/sender"
	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Two replicas sweep alert steps at once: every case reaches the coach once,
// and its re-escalation reaches the coordinator once.
func TestTwoReplicasRunEachAlertStepOnce(t *testing.T) {
	t.Parallel()
	tuesday := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC) // 12:00 in Amsterdam
	c := newCluster(t, 2, tuesday, telegramtest.Options{GlobalRate: 1000, PerChatBurst: 1000, PerChatRate: 1000},
		sender.Config{Rate: 500, ChatBurst: 500, ChatRate: 500})
	ctx := waitCtx(t, 60*time.Second)
	st := c.reps[0].st
	sanne, kees := c.srv.NewUser("Sanne"), c.srv.NewUser("Kees")
	coach := storetest.Coach(t, st, store.Coach{Name: "Sanne de Vries"}, sanne.ID)
	storetest.Coach(t, st, store.Coach{Name: "Kees Visser", Coordinator: true, Hours: "always"}, kees.ID)
	const n = 20
	for i := range n {
		s, _, err := st.AddStudent(ctx, store.NewStudent{Name: "Student " + string(rune('A'+i)), CoachID: coach.ID}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.RaiseSignals(ctx, s.ID, 0, store.Signal{Code: "daytime=home", Severity: severity.Urgent, Detail: "daytime=home"}); err != nil {
			t.Fatal(err)
		}
	}
	c.runSenders()
	sweep := func() {
		var wg sync.WaitGroup
		for _, r := range c.reps {
			for range 3 {
				wg.Add(1)
				go func() { defer wg.Done(); r.sched.RunOnce(ctx) }()
			}
		}
		wg.Wait()
	}
	sends := func(u *telegramtest.User) int {
		k := 0
		for _, m := range u.Messages() {
			if m.Method == "sendMessage" {
				k++
			}
		}
		return k
	}
	sweep()
	if err := c.srv.WaitUntil(ctx, func() bool { return sends(sanne) >= n }); err != nil {
		t.Fatalf("coach got %d alerts of %d", sends(sanne), n)
	}
	// Every send recorded before the clock jumps: a lease that ran out while a
	// message was between Telegram and Postgres would be taken again (at least once).
	if err := eventually(ctx, func() bool {
		return storetest.Pending(t, st) == 0
	}); err != nil {
		t.Fatal(err)
	}
	c.clock.Advance(31 * time.Minute) // nobody took them on
	sweep()
	if err := c.srv.WaitUntil(ctx, func() bool { return sends(kees) >= n }); err != nil {
		t.Fatalf("coordinator got %d re-escalations of %d", sends(kees), n)
	}
	if err := eventually(ctx, func() bool {
		return storetest.Pending(t, st) == 0
	}); err != nil {
		t.Fatal(err)
	}
	sweep() // later sweeps have nothing more to send
	// The coach got each case once, and once again (as a new message) when
	// nobody took it on in time: each step ran once, in one replica.
	if got := sends(sanne); got != 2*n {
		for _, m := range sanne.Messages() {
			t.Logf("%s %d %q", m.Method, m.MessageID, strings.SplitN(m.Text, "\n", 2)[0])
		}
		t.Errorf("coach got %d alert messages, want %d (two per case)", got, 2*n)
	}
	if got := sends(kees); got != n {
		t.Errorf("coordinator got %d alert messages, want %d (one per case)", got, n)
	}
	if got := storetest.Count(storetest.AlertEvents(t, st), func(e store.AlertEventRow) bool { return e.Kind == "escalated" }); got != n {
		t.Errorf("%d escalations recorded, want %d", got, n)
	}
}
