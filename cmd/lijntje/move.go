package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/lijntje/lijntje/store"
)

// studentMove hands a student over to another coach (`student move ID --coach C`)
// and tells the student (in the new coach's name) and both coaches. A running
// `lijntje serve` sends the messages.
func studentMove(ctx context.Context, d *deps, args []string, w io.Writer) error {
	fs := newFlags("student move")
	coach := fs.String("coach", "", "the new coach: ID or name")
	var ids []string
	for {
		if err := fs.Parse(args); err != nil {
			return fmt.Errorf("student move: %v: %w", err, errUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		ids = append(ids, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(ids) != 1 || *coach == "" {
		return fmt.Errorf("student move: give one student ID and --coach: %w", errUsage)
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil || id <= 0 {
		return fmt.Errorf("student move: %q is not a student ID: %w", ids[0], errUsage)
	}
	to, err := d.st.FindCoach(ctx, *coach)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("student move: there is no coach %q", *coach)
	case errors.Is(err, store.ErrAmbiguous):
		return fmt.Errorf("student move: more coaches match %q; give the coach's ID", *coach)
	case err != nil:
		return err
	}
	mv, err := d.st.MoveStudent(ctx, id, to.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("student move: there is no student %d", id)
	case errors.Is(err, store.ErrSameCoach):
		return fmt.Errorf("student move: student %d already has coach %d", id, to.ID)
	case err != nil:
		return err
	}
	first := store.FirstName
	var out []store.Message
	s := mv.Student
	if s.ChatID != 0 && (s.Status == store.StatusActive || s.Status == store.StatusPaused) {
		out = append(out, store.Message{ChatID: s.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.loc.T(s.Lang, "talk.move.student", map[string]any{"Coach": first(mv.To.Name)})})
	}
	if mv.To.ChatID != 0 {
		out = append(out, store.Message{ChatID: mv.To.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.loc.T(mv.To.Lang, "talk.move.to_coach", map[string]any{"Student": s.Name, "Old": first(mv.From.Name)})})
	}
	if mv.From.ChatID != 0 {
		out = append(out, store.Message{ChatID: mv.From.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.loc.T(mv.From.Lang, "talk.move.from_coach", map[string]any{"Student": first(s.Name), "Coach": first(mv.To.Name)})})
	}
	if len(out) > 0 {
		if _, err := d.st.Enqueue(ctx, out...); err != nil {
			return fmt.Errorf("student move: the move is done, but the messages could not be queued: %w", err)
		}
	}
	d.log.InfoContext(ctx, "student moved", "student_id", s.ID, "from_coach_id", mv.From.ID, "to_coach_id", mv.To.ID)
	_, err = fmt.Fprintf(w, "student %d now has coach %d (%s); %d message(s) queued\n", s.ID, mv.To.ID, mv.To.Name, len(out))
	return err
}
