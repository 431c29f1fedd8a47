package desk_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// A move queues one message to the student and one to each coach; the
// student's message names the new coach.
func TestDeskMoveStudentTellsAllThree(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDesk(t, "en")
	d.Store = storetest.New(t)
	sanne := storetest.Coach(t, d.Store, store.Coach{Name: "Sanne de Vries"}, 7_000_001_001)
	ahmed := storetest.Coach(t, d.Store, store.Coach{Name: "Ahmed Yilmaz"}, 7_000_002_002)
	noor := storetest.LinkedStudent(t, d.Store, store.NewStudent{Name: "Noor Bakker", CoachID: sanne.ID}, 7_000_003_003)
	mv, n, err := d.MoveStudent(ctx, noor.ID, "Ahmed")
	if err != nil || n != 3 || mv.To.ID != ahmed.ID || mv.From.ID != sanne.ID {
		t.Fatalf("move: %+v, %d messages, %v; want to Ahmed with 3 messages", mv, n, err)
	}
	chats := map[int64]bool{}
	for _, o := range storetest.Outbox(t, d.Store) {
		chats[o.ChatID] = true
	}
	if !chats[7_000_001_001] || !chats[7_000_002_002] || !chats[7_000_003_003] {
		t.Errorf("messages went to %v, want the student and both coaches", chats)
	}
	if _, _, err := d.MoveStudent(ctx, noor.ID, "Ahmed"); err == nil || !strings.HasPrefix(err.Error(), "student move: ") {
		t.Errorf("a move to the same coach: %v, want refused", err)
	}
}

// A check-in now needs an active student; an invited one is refused, and
// --all reaches only the active ones.
func TestDeskCheckinNowOnlyForActiveStudents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDesk(t, "en")
	d.Store = storetest.New(t)
	sanne := storetest.Coach(t, d.Store, store.Coach{Name: "Sanne de Vries"}, 0)
	invited, _ := storetest.Student(t, d.Store, store.NewStudent{Name: "Sem de Boer", CoachID: sanne.ID})
	active := storetest.LinkedStudent(t, d.Store, store.NewStudent{Name: "Noor Bakker", CoachID: sanne.ID}, 7_000_003_003)
	if _, err := d.CheckinNow(ctx, invited.ID, false); err == nil || !strings.HasPrefix(err.Error(), "checkin now: ") {
		t.Errorf("check-in now for an invited student: %v, want refused", err)
	}
	if n, err := d.CheckinNow(ctx, active.ID, false); err != nil || n != 1 {
		t.Fatalf("check-in now: %d, %v; want 1", n, err)
	}
	if n, err := d.CheckinNow(ctx, 0, true); err != nil || n != 1 {
		t.Errorf("check-in now for all: %d, %v; want 1 (the one active student)", n, err)
	}
}

// Erasing asks for the student's ID; another answer, or none, erases nothing.
func TestDeskDeleteStudentAsksForTheID(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d := newDesk(t, "en")
	d.Store = storetest.New(t)
	sanne := storetest.Coach(t, d.Store, store.Coach{Name: "Sanne de Vries"}, 0)
	noor, _ := storetest.Student(t, d.Store, store.NewStudent{Name: "Noor Bakker", CoachID: sanne.ID})
	for _, in := range []string{"", "yes\n", strconv.FormatInt(noor.ID+1, 10) + "\n"} {
		var w bytes.Buffer
		if err := d.DeleteStudent(ctx, noor.ID, false, strings.NewReader(in), &w); err == nil {
			t.Fatalf("answer %q erased the student", in)
		}
		if !strings.Contains(w.String(), "Noor Bakker") {
			t.Errorf("the question %q does not name the student", w.String())
		}
	}
	var w bytes.Buffer
	if err := d.DeleteStudent(ctx, noor.ID, false, strings.NewReader(strconv.FormatInt(noor.ID, 10)+"\n"), &w); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Store.Student(ctx, noor.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after erasing: %v, want not found", err)
	}
}
