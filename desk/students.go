package desk

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lijntje/lijntje/store"
)

// DeleteStudent erases student id (the right to erasure). Unless yes, it first
// asks on w for the student's ID to be typed on in, and refuses on any other
// answer or none.
func (d *Desk) DeleteStudent(ctx context.Context, id int64, yes bool, in io.Reader, w io.Writer) error {
	st, err := d.Store.Student(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("student delete: %s", d.T("cli.student.unknown", "ID", id))
	}
	if err != nil {
		return err
	}
	if !yes {
		fmt.Fprint(w, d.T("cli.delete.confirm", "ID", st.ID, "Name", st.Name))
		line, err := bufio.NewReader(in).ReadString('\n')
		if strings.TrimSpace(line) != strconv.FormatInt(id, 10) {
			fmt.Fprintln(w)
			if err != nil {
				return fmt.Errorf("student delete: %s", d.T("cli.delete.no_input"))
			}
			return fmt.Errorf("student delete: %s", d.T("cli.delete.not_confirmed"))
		}
	}
	if err := d.Store.EraseStudent(ctx, id); err != nil {
		return fmt.Errorf("student delete: %w", err)
	}
	return nil
}

// MoveStudent hands student id over to coach (an ID or a name) and queues a
// message to the student (in the new coach's name) and to both coaches. It
// returns the move and how many messages were queued.
func (d *Desk) MoveStudent(ctx context.Context, id int64, coach string) (store.Moved, int, error) {
	to, err := d.Store.FindCoach(ctx, coach)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Moved{}, 0, fmt.Errorf("student move: %s", d.T("cli.move.no_coach", "Coach", coach))
	case errors.Is(err, store.ErrAmbiguous):
		return store.Moved{}, 0, fmt.Errorf("student move: %s", d.T("cli.move.ambiguous", "Coach", coach))
	case err != nil:
		return store.Moved{}, 0, err
	}
	mv, err := d.Store.MoveStudent(ctx, id, to.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Moved{}, 0, fmt.Errorf("student move: %s", d.T("cli.student.unknown", "ID", id))
	case errors.Is(err, store.ErrSameCoach):
		return store.Moved{}, 0, fmt.Errorf("student move: %s", d.T("cli.move.same", "ID", id, "Coach", to.ID))
	case err != nil:
		return store.Moved{}, 0, err
	}
	first := store.FirstName
	var out []store.Message
	s := mv.Student
	if s.ChatID != 0 && (s.Status == store.StatusActive || s.Status == store.StatusPaused) {
		out = append(out, store.Message{ChatID: s.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Texts.T(s.Lang, "talk.move.student", map[string]any{"Coach": first(mv.To.Name)})})
	}
	if mv.To.ChatID != 0 {
		out = append(out, store.Message{ChatID: mv.To.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Texts.T(mv.To.Lang, "talk.move.to_coach", map[string]any{"Student": s.Name, "Old": first(mv.From.Name)})})
	}
	if mv.From.ChatID != 0 {
		out = append(out, store.Message{ChatID: mv.From.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Texts.T(mv.From.Lang, "talk.move.from_coach", map[string]any{"Student": first(s.Name), "Coach": first(mv.To.Name)})})
	}
	if len(out) > 0 {
		if _, err := d.Store.Enqueue(ctx, out...); err != nil {
			return store.Moved{}, 0, fmt.Errorf("student move: the move is done, but the messages could not be queued: %w", err)
		}
	}
	return mv, len(out), nil
}

// CheckinNow queues a check-in due now for student id, or, with all, for
// every active student, and returns how many were queued (a student with a
// check-in already open or due gets none).
func (d *Desk) CheckinNow(ctx context.Context, id int64, all bool) (int, error) {
	ids := []int64{id}
	if all {
		var err error
		if ids, err = d.Store.ActiveStudentIDs(ctx); err != nil {
			return 0, err
		}
	} else {
		st, err := d.Store.Student(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("checkin now: %s", d.T("cli.student.unknown", "ID", id))
		}
		if err != nil {
			return 0, err
		}
		if st.ChatID == 0 || st.Status != store.StatusActive {
			return 0, fmt.Errorf("checkin now: %s", d.T("cli.checkin.not_active", "ID", st.ID, "Status", d.T("cli.measure."+st.Status)))
		}
	}
	now := d.Store.Now()
	n := 0
	for _, sid := range ids {
		ok, err := d.Store.ScheduleCheckin(ctx, sid, now, now, true)
		if err != nil {
			return 0, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// RenewInvite makes a new invite for student id (the old one stops working)
// and returns the student and the new code.
func (d *Desk) RenewInvite(ctx context.Context, id int64) (store.Student, string, error) {
	code, err := d.Store.RenewInvite(ctx, id, d.InviteTTL)
	if errors.Is(err, store.ErrNotFound) {
		return store.Student{}, "", fmt.Errorf("invite renew: %s", d.T("cli.student.unknown", "ID", id))
	}
	if err != nil {
		return store.Student{}, "", err
	}
	st, err := d.Store.Student(ctx, id)
	if err != nil {
		return store.Student{}, "", err
	}
	return st, code, nil
}
