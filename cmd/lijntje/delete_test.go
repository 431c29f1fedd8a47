package main

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/desk"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Not parallel: it swaps the package's stdin.
func TestStudentDeleteAsksForConfirmation(t *testing.T) {
	c := newCLI(t)
	c.must("coach", "add", "--name", "Sanne")
	var inv desk.Invited
	if err := json.Unmarshal([]byte(c.must("student", "add", "--name", "Fenna Cmdtest", "--coach", "1", "--json")), &inv); err != nil {
		t.Fatal(err)
	}
	c.must("student", "add", "--name", "Noor Bakker", "--coach", "1")

	// Link the student and cache their conversation, as `serve` would (default key prefix).
	ctx := context.Background()
	pool, err := store.Connect(ctx, c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	opt, _ := redis.ParseURL(storetest.RedisURL())
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	st := store.New(pool, rdb)
	chat := 900_000_000 + rand.Int64N(99_999_999)
	if _, err := st.RedeemInvite(ctx, inv.Code, chat); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Identify(ctx, chat); err != nil {
		t.Fatal(err)
	}
	key := "lijntje:conv:" + strconv.FormatInt(chat, 10)
	t.Cleanup(func() { rdb.Del(context.Background(), key) })
	if n, _ := rdb.Exists(ctx, key).Result(); n != 1 {
		t.Fatalf("seed: no conversation cached at %s", key)
	}

	defer func(old io.Reader) { stdin = old }(stdin)
	for _, input := range []string{"", "yes\n", "2\n"} { // no stdin (CI), a wrong answer, another ID
		stdin = strings.NewReader(input)
		code, out, errs := c.run("student", "delete", "1")
		if code != 1 || !strings.Contains(errs, "nothing deleted") {
			t.Fatalf("input %q: exit %d, %s%s", input, code, out, errs)
		}
		if n := storetest.Count(c.students(), func(r store.StudentRow) bool { return r.ID == 1 }); n != 1 {
			t.Fatalf("input %q deleted the student", input)
		}
	}
	stdin = strings.NewReader("1\n")
	if out := c.must("student", "delete", "1"); !strings.Contains(out, "Fenna Cmdtest") || !strings.Contains(out, "student 1 deleted") {
		t.Fatalf("confirmed delete: %s", out)
	}
	if n := storetest.Count(c.students(), func(r store.StudentRow) bool { return r.ID == 1 || strings.Contains(r.Name, "Fenna") }); n != 0 {
		t.Fatalf("student still there")
	}
	if n, _ := rdb.Exists(ctx, key).Result(); n != 0 {
		t.Fatalf("conversation still cached at %s", key)
	}
	stdin = strings.NewReader("")
	c.must("student", "delete", "--yes", "2")
	if n := len(c.students()); n != 0 {
		t.Fatalf("--yes did not delete")
	}
	if code, _, _ := c.run("student", "delete", "2", "--yes"); code != 1 {
		t.Fatalf("deleting an unknown student: exit %d, want 1", code)
	}
	if code, _, _ := c.run("student", "delete", "--yes"); code != 2 {
		t.Fatalf("no ID: exit %d, want 2", code)
	}
}

// `student delete` for a student whose Telegram ID is above 2^32 (as every new
// account's is): what the coach already got about them (the case, their
// history and chart) becomes "[verwijderd]" or disappears, and another
// student whose name starts the same keeps everything. The retention job
// erases such a student too.
func TestStudentDeleteByKeyWithLargeTelegramIDs(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	ali, aliUser := w.addStudent("Ali Yilmaz", coach.ID)
	alisha, alishaUser := w.addStudent("Alisha de Boer", coach.ID)
	if aliUser.ID <= 1<<32 || alishaUser.ID <= 1<<32 {
		t.Fatalf("the double handed out small IDs: %d, %d", aliUser.ID, alishaUser.ID)
	}
	aliUser.SendText("ik wil dood eerlijk")
	w.waitText(aliUser, "113")
	alert := w.waitText(sanne, "Ali Yilmaz")
	sanne.SendCommand("student", "Ali Yilmaz")
	history := w.waitFor(sanne, func(m telegramtest.Sent) bool {
		return m.MessageID > alert.MessageID && strings.Contains(m.Text, "Ali Yilmaz")
	}, "Ali's history")
	chart := w.waitFor(sanne, func(m telegramtest.Sent) bool { return len(m.Photo) > 0 }, "Ali's chart")
	sanne.SendCommand("checkin", "Alisha de Boer")
	w.waitText(sanne, "Alisha krijgt")
	w.question(alishaUser, "mood")

	w.cli("student", "delete", strconv.FormatInt(ali.ID, 10), "--yes")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := w.tg.WaitUntil(ctx, func() bool {
		gone := 0
		for _, m := range sanne.Messages() {
			switch m.MessageID {
			case alert.MessageID, history.MessageID:
				if m.Text == "[verwijderd]" {
					gone++
				}
			case chart.MessageID:
				if m.Deleted {
					gone++
				}
			}
		}
		return gone == 3
	})
	if err != nil {
		for _, m := range sanne.Messages() {
			t.Logf("coach's chat: %d %q deleted=%v", m.MessageID, m.Text, m.Deleted)
		}
		t.Fatal("the coach's messages about Ali were not all edited to [verwijderd] or deleted")
	}
	for _, m := range sanne.Messages() {
		if strings.Contains(m.Text, "Ali Yilmaz") || strings.Contains(m.Text, "wil dood") {
			t.Errorf("the coach's chat still shows %q", m.Text)
		}
	}
	if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(r store.OutboxRow) bool { return r.ChatID == alishaUser.ID }); n == 0 {
		t.Errorf("Alisha's messages were erased with Ali's")
	}
	if n := storetest.Count(storetest.Students(w.t, w.srv.st), func(r store.StudentRow) bool { return r.ID == alisha.ID }); n != 1 {
		t.Errorf("Alisha was erased")
	}

	// The retention job, for Alisha (ID above 2^32) once her follow-up ended long ago.
	storetest.Ended(t, w.srv.st, alisha.ID, w.clock.Now().AddDate(-2, 0, 0))
	if n, err := w.srv.sched.Purge(context.Background()); err != nil || n != 1 {
		t.Fatalf("retention job: %d, %v; want Alisha erased", n, err)
	}
	if n := storetest.Count(storetest.Outbox(w.t, w.srv.st), func(r store.OutboxRow) bool { return r.ChatID == alishaUser.ID }); n != 0 {
		t.Errorf("%d messages to Alisha left after the retention job", n)
	}
}
