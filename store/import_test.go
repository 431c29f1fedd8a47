package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestImportStudentsUpdatesByRef(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := context.Background()
	coach, _, _ := st.AddCoach(ctx, store.Coach{Name: "Sanne"}, time.Hour)
	left := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	first, err := st.ImportStudents(ctx, []store.NewStudent{
		{Name: "Noor", CoachID: coach.ID, LeftSchool: left, Ref: "A1"},
		{Name: "Sem", CoachID: coach.ID, LeftSchool: left, Ref: "A2"},
		{Name: "Lina", CoachID: coach.ID, LeftSchool: left},
	}, time.Hour, false)
	if err != nil || len(first) != 3 || first[0].Code == "" || first[0].Updated {
		t.Fatalf("import: %+v, %v", first, err)
	}
	if _, err := st.RedeemInvite(ctx, first[0].Code, 5001); err != nil { // Noor is linked
		t.Fatal(err)
	}
	reimport := func(renew bool) []store.Imported {
		t.Helper()
		again, err := st.ImportStudents(ctx, []store.NewStudent{
			{Name: "Noor B.", CoachID: coach.ID, LeftSchool: left, Ref: "A1"},
			{Name: "Sem", CoachID: coach.ID, LeftSchool: left, Ref: "A2"},
		}, time.Hour, renew)
		if err != nil {
			t.Fatal(err)
		}
		if !again[0].Updated || again[0].Code != "" || again[0].Student.ID != first[0].Student.ID || again[0].Student.ChatID != 5001 {
			t.Fatalf("linked student re-imported: %+v", again[0])
		}
		return again
	}
	// A plain re-import leaves the handed-out invite as it is.
	if again := reimport(false); !again[1].Updated || again[1].Code != "" || !again[1].Kept {
		t.Fatalf("unlinked student re-imported: %+v", again[1])
	}
	// With renew, a new invite; the handed-out one stops working.
	again := reimport(true)
	if !again[1].Updated || again[1].Code == "" || again[1].Kept {
		t.Fatalf("unlinked student re-imported with renew: %+v", again[1])
	}
	if _, err := st.RedeemInvite(ctx, first[1].Code, 5002); !errors.Is(err, store.ErrInviteInvalid) {
		t.Fatalf("old code after a renewing re-import: %v, want ErrInviteInvalid", err)
	}
	if _, err := st.RedeemInvite(ctx, again[1].Code, 5002); err != nil {
		t.Fatalf("new code after a renewing re-import: %v", err)
	}
	if s, _ := st.Student(ctx, first[0].Student.ID); s.Name != "Noor B." {
		t.Fatalf("name not updated: %q", s.Name)
	}
	// All or nothing: an unknown coach in the middle rolls everything back.
	_, err = st.ImportStudents(ctx, []store.NewStudent{
		{Name: "X", CoachID: coach.ID, Ref: "B1"}, {Name: "Y", CoachID: 999},
	}, time.Hour, false)
	if !errors.Is(err, store.ErrUnknownCoach) {
		t.Fatalf("unknown coach: %v", err)
	}
	if n := len(storetest.Students(t, st)); n != 3 {
		t.Fatalf("%d students after a failed import, want 3", n)
	}
}
