package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/lijntje/lijntje/store"
)

// Factories: test data made through the store's own methods (or its test
// support in store/inspect.go), failing the test on an error. A test says
// what it needs (a coach with a chat, a linked student, an open check-in) and
// reads the outcome back with the row views below; no SQL outside store.

const inviteTTL = time.Hour

// Coach adds a coach (on call when c.OnCall) and, for a chatID other than 0,
// links that chat to them through their invite.
func Coach(t testing.TB, st *store.Store, c store.Coach, chatID int64) store.Coach {
	t.Helper()
	ctx := context.Background()
	c, code, err := st.AddCoach(ctx, c, inviteTTL)
	if err != nil {
		t.Fatalf("storetest: add coach: %v", err)
	}
	if chatID != 0 {
		if _, err := st.RedeemInvite(ctx, code, chatID); err != nil {
			t.Fatalf("storetest: link coach: %v", err)
		}
	}
	if c.OnCall {
		if _, err := st.SetOnCall(ctx, c.ID, true); err != nil {
			t.Fatalf("storetest: on call: %v", err)
		}
	}
	c, err = st.Coach(ctx, c.ID)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return c
}

// Student adds an invited student and returns them with their invite code.
func Student(t testing.TB, st *store.Store, n store.NewStudent) (store.Student, string) {
	t.Helper()
	s, code, err := st.AddStudent(context.Background(), n, inviteTTL)
	if err != nil {
		t.Fatalf("storetest: add student: %v", err)
	}
	return s, code
}

// LinkedStudent adds a student and links chatID to them through their invite:
// an active student, as after /start.
func LinkedStudent(t testing.TB, st *store.Store, n store.NewStudent, chatID int64) store.Student {
	t.Helper()
	_, code := Student(t, st, n)
	r, err := st.RedeemInvite(context.Background(), code, chatID)
	if err != nil {
		t.Fatalf("storetest: link student: %v", err)
	}
	return r.Student
}

// CheckinAt adds a coach and a student linked to chatID whose check-in
// (flow checkin, version v1) was opened at now on step: the scene of a
// store test about answering it. It returns the student and the check-in.
func CheckinAt(t testing.TB, st *store.Store, chatID int64, now time.Time, step string) (store.Student, int64) {
	t.Helper()
	ctx := context.Background()
	coach := Coach(t, st, store.Coach{Name: "Sanne"}, 0)
	s := LinkedStudent(t, st, store.NewStudent{Name: "Noor", CoachID: coach.ID}, chatID)
	if _, err := st.ScheduleCheckin(ctx, s.ID, now, now, true); err != nil {
		t.Fatalf("storetest: schedule: %v", err)
	}
	convs, _, err := st.StartDueCheckins(ctx, now, 10, func(store.DueCheckin) (store.Opened, error) {
		return store.Opened{FlowID: "checkin", Version: "v1", Step: step, ExpiresAt: now.Add(48 * time.Hour)}, nil
	})
	if err != nil || len(convs) != 1 {
		t.Fatalf("storetest: start the check-in: %v %v", convs, err)
	}
	return s, convs[0].CheckinID
}

// CardTap is the record of update, a tap by student s (chat) that answers
// step of checkin with option 1, as the bot writes it: its one reply edits
// the check-in's card (message 41) into text, with the next step's button;
// an empty next is the check-in's last step.
func CardTap(s store.Student, chat, checkin, update int64, step, next, text string, at time.Time) store.Record {
	return store.Record{UpdateID: update, StudentID: s.ID, CheckinID: checkin, Version: "v1", Step: step, Option: "1",
		NextStep: next, Done: next == "", At: at, StepKeyed: true,
		Owner: store.Owner{Role: store.RoleStudent, ID: s.ID, ChatID: chat},
		Out: []store.Message{{ChatID: chat, Lane: store.LaneInteractive, Kind: store.KindEdit, EditMessageID: 41, Text: text,
			Buttons: [][]store.Button{{{Text: "Ja", Data: "a:1:x:y"}}}, CheckinID: checkin}}}
}

// StudentsDue adds an active student linked to each chat, all of coachID,
// each with a check-in due at at.
func StudentsDue(t testing.TB, st *store.Store, coachID int64, chats []int64, at time.Time) {
	t.Helper()
	if err := st.AddStudentsDue(context.Background(), coachID, chats, "checkin", at); err != nil {
		t.Fatalf("storetest: %v", err)
	}
}

// Ended marks a student's follow-up as ended at at.
func Ended(t testing.TB, st *store.Store, studentID int64, at time.Time) {
	t.Helper()
	if err := st.SetEnded(context.Background(), studentID, at); err != nil {
		t.Fatalf("storetest: %v", err)
	}
}

// OpenCheckin adds an open check-in of the check-in flow for a student and
// returns its ID.
func OpenCheckin(t testing.TB, st *store.Store, studentID int64) int64 {
	t.Helper()
	id, err := st.AddOpenCheckin(context.Background(), studentID, "checkin")
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return id
}

// AlertRow adds a bare case (no signal, event or steps) for a student with
// a severity and status, opened at openedAt, and returns its ID.
func AlertRow(t testing.TB, st *store.Store, studentID int64, severity, status string, openedAt time.Time) int64 {
	t.Helper()
	id, err := st.AddAlertRow(context.Background(), studentID, severity, status, openedAt)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return id
}

// CheckinDue adds a scheduled check-in of the check-in flow for a student,
// due at at, and returns its ID.
func CheckinDue(t testing.TB, st *store.Store, studentID int64, at time.Time) int64 {
	t.Helper()
	id, err := st.AddCheckinDue(context.Background(), studentID, "checkin", at)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return id
}

// TakenAlertRow adds a bare case like AlertRow, taken on at takenAt, and
// returns its ID.
func TakenAlertRow(t testing.TB, st *store.Store, studentID int64, severity, status string, openedAt, takenAt time.Time) int64 {
	t.Helper()
	id, err := st.AddTakenAlertRow(context.Background(), studentID, severity, status, openedAt, takenAt)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return id
}

// CoachRow adds a bare coach (no invite, no chat) with a fixed ID (0: the
// next one) and returns its ID.
func CoachRow(t testing.TB, st *store.Store, id int64, name string) int64 {
	t.Helper()
	id, err := st.AddCoachRow(context.Background(), id, name)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return id
}

// StudentRows adds bare students (no invite, no chat), in order, and
// returns their IDs.
func StudentRows(t testing.TB, st *store.Store, students ...store.NewStudentRow) []int64 {
	t.Helper()
	ids, err := st.AddStudentRows(context.Background(), students)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return ids
}

// CheckinRows adds bare check-ins (no message, no answers), in order, and
// returns their IDs.
func CheckinRows(t testing.TB, st *store.Store, checkins ...store.NewCheckinRow) []int64 {
	t.Helper()
	ids, err := st.AddCheckinRows(context.Background(), checkins)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return ids
}

// AnswerRows adds bare answers (no signal, no check-in moved on), in order,
// and returns their IDs.
func AnswerRows(t testing.TB, st *store.Store, answers ...store.NewAnswerRow) []int64 {
	t.Helper()
	ids, err := st.AddAnswerRows(context.Background(), answers)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return ids
}

// CloseAlertRows marks every case closed at at (bare rows: no event, no message).
func CloseAlertRows(t testing.TB, st *store.Store, at time.Time) {
	t.Helper()
	if err := st.CloseAlertRows(context.Background(), at); err != nil {
		t.Fatalf("storetest: %v", err)
	}
}

// LockOutbox locks the outbox so that a sender's claim waits, until the
// returned func is called (or the test ends).
func LockOutbox(t testing.TB, st *store.Store) (release func()) {
	t.Helper()
	release, err := st.LockOutbox(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(release)
	return release
}

// HoldOutboxRows locks outbox rows ids as a running sent-mark holds them,
// until the returned func is called (or the test ends).
func HoldOutboxRows(t testing.TB, st *store.Store, ids ...int64) (release func()) {
	t.Helper()
	release, err := st.HoldOutboxRows(context.Background(), ids)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(release)
	return release
}

// HoldCards locks the cards of checkins as a tap's write holds its card,
// until the returned func is called (or the test ends).
func HoldCards(t testing.TB, st *store.Store, checkins ...int64) (release func()) {
	t.Helper()
	release, err := st.HoldCards(context.Background(), checkins)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(release)
	return release
}

// Outbox returns every outbox row, oldest first.
func Outbox(t testing.TB, st *store.Store) []store.OutboxRow {
	t.Helper()
	rows, err := st.OutboxRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Cards returns every check-in's card (st.CardRows).
func Cards(t testing.TB, st *store.Store) []store.CardRow {
	t.Helper()
	rows, err := st.CardRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Pending counts the outbox rows neither sent nor failed for good, and the
// cards whose newest edit is not sent yet.
func Pending(t testing.TB, st *store.Store) int {
	t.Helper()
	n := 0
	for _, o := range Outbox(t, st) {
		if !o.Sent && !o.Failed {
			n++
		}
	}
	for _, c := range Cards(t, st) {
		if c.Version > c.SentVersion {
			n++
		}
	}
	return n
}

// Checkins returns every check-in, by student and slot.
func Checkins(t testing.TB, st *store.Store) []store.CheckinRow {
	t.Helper()
	rows, err := st.CheckinRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Signals returns every signal, oldest first.
func Signals(t testing.TB, st *store.Store) []store.SignalRow {
	t.Helper()
	rows, err := st.SignalRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Alerts returns every case, oldest first.
func Alerts(t testing.TB, st *store.Store) []store.AlertRow {
	t.Helper()
	rows, err := st.AlertRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// AlertEvents returns every event of every case, oldest first.
func AlertEvents(t testing.TB, st *store.Store) []store.AlertEventRow {
	t.Helper()
	rows, err := st.AlertEventRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Students returns every student as stored, by ID.
func Students(t testing.TB, st *store.Store) []store.StudentRow {
	t.Helper()
	rows, err := st.StudentRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Coaches returns every coach as stored, by ID.
func Coaches(t testing.TB, st *store.Store) []store.CoachRow {
	t.Helper()
	rows, err := st.CoachRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Answers returns every answer, oldest first.
func Answers(t testing.TB, st *store.Store) []store.AnswerRow {
	t.Helper()
	rows, err := st.AnswerRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// AlertSteps returns every planned step of every case, oldest first.
func AlertSteps(t testing.TB, st *store.Store) []store.AlertStepRow {
	t.Helper()
	rows, err := st.AlertStepRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Agreements returns every agreement, oldest first.
func Agreements(t testing.TB, st *store.Store) []store.AgreementRow {
	t.Helper()
	rows, err := st.AgreementRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// ProcessedUpdates returns the IDs of every update marked processed.
func ProcessedUpdates(t testing.TB, st *store.Store) []int64 {
	t.Helper()
	rows, err := st.ProcessedUpdateIDs(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// CoachMessages returns every message between a coach and a student, oldest first.
func CoachMessages(t testing.TB, st *store.Store) []store.CoachMessageRow {
	t.Helper()
	rows, err := st.CoachMessageRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// AlertDeliveries returns every delivery of every case, oldest first.
func AlertDeliveries(t testing.TB, st *store.Store) []store.AlertDeliveryRow {
	t.Helper()
	rows, err := st.AlertDeliveryRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// KnownSignals returns every known-situation mark.
func KnownSignals(t testing.TB, st *store.Store) []store.KnownSignalRow {
	t.Helper()
	rows, err := st.KnownSignalRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// DeadLetters returns every parked update.
func DeadLetters(t testing.TB, st *store.Store) []store.DeadLetterRow {
	t.Helper()
	rows, err := st.DeadLetterRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// TableRowCounts counts the rows of every table.
func TableRowCounts(t testing.TB, st *store.Store) map[string]int {
	t.Helper()
	out, err := st.TableRowCounts(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return out
}

// PoisonAnswers makes recording any answer of a student fail until the
// returned heal is called.
func PoisonAnswers(t testing.TB, st *store.Store, studentID int64) (heal func()) {
	t.Helper()
	h, err := st.PoisonAnswers(context.Background(), studentID)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return func() {
		t.Helper()
		if err := h(context.Background()); err != nil {
			t.Fatalf("storetest: %v", err)
		}
	}
}

// Invites returns every invite (without its code).
func Invites(t testing.TB, st *store.Store) []store.InviteRow {
	t.Helper()
	rows, err := st.InviteRows(context.Background())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	return rows
}

// Count counts the rows for which keep holds.
func Count[R any](rows []R, keep func(R) bool) int {
	n := 0
	for _, r := range rows {
		if keep(r) {
			n++
		}
	}
	return n
}
