package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/lijntje/lijntje/store"
)

// parseStudentMove is `student move ID --coach C`: it hands a student over to
// another coach and tells the student (in the new coach's name) and both
// coaches. A running `lijntje serve` sends the messages.
func parseStudentMove(c *cmdline, args []string) (action, error) {
	fs := c.flags("student move")
	coach := fs.String("coach", "", c.T("cli.flag.move_coach"))
	ids, err := c.parse(fs, args, true)
	if err != nil {
		return nil, err
	}
	if len(ids) != 1 || *coach == "" {
		return nil, c.usage("student move", "cli.usage.move")
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil || id <= 0 {
		return nil, c.usage("student move", "cli.usage.not_id", "Arg", strconv.Quote(ids[0]))
	}
	return func(ctx context.Context, d *deps, w io.Writer) error { return studentMove(ctx, d, id, *coach, w) }, nil
}

// studentMove hands student id over to coach (an ID or a name) and tells all three.
func studentMove(ctx context.Context, d *deps, id int64, coach string, w io.Writer) error {
	to, err := d.Store.FindCoach(ctx, coach)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("student move: %s", d.cli.T("cli.move.no_coach", "Coach", coach))
	case errors.Is(err, store.ErrAmbiguous):
		return fmt.Errorf("student move: %s", d.cli.T("cli.move.ambiguous", "Coach", coach))
	case err != nil:
		return err
	}
	mv, err := d.Store.MoveStudent(ctx, id, to.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("student move: %s", d.cli.T("cli.student.unknown", "ID", id))
	case errors.Is(err, store.ErrSameCoach):
		return fmt.Errorf("student move: %s", d.cli.T("cli.move.same", "ID", id, "Coach", to.ID))
	case err != nil:
		return err
	}
	first := store.FirstName
	var out []store.Message
	s := mv.Student
	if s.ChatID != 0 && (s.Status == store.StatusActive || s.Status == store.StatusPaused) {
		out = append(out, store.Message{ChatID: s.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Locales.T(s.Lang, "talk.move.student", map[string]any{"Coach": first(mv.To.Name)})})
	}
	if mv.To.ChatID != 0 {
		out = append(out, store.Message{ChatID: mv.To.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Locales.T(mv.To.Lang, "talk.move.to_coach", map[string]any{"Student": s.Name, "Old": first(mv.From.Name)})})
	}
	if mv.From.ChatID != 0 {
		out = append(out, store.Message{ChatID: mv.From.ChatID, Lane: store.LaneInteractive, Kind: store.KindSend,
			Text: d.Locales.T(mv.From.Lang, "talk.move.from_coach", map[string]any{"Student": first(s.Name), "Coach": first(mv.To.Name)})})
	}
	if len(out) > 0 {
		if _, err := d.Store.Enqueue(ctx, out...); err != nil {
			return fmt.Errorf("student move: the move is done, but the messages could not be queued: %w", err)
		}
	}
	d.Log.InfoContext(ctx, "student moved", "student_id", s.ID, "from_coach_id", mv.From.ID, "to_coach_id", mv.To.ID)
	_, err = fmt.Fprintln(w, d.cli.T("cli.move.done", "ID", s.ID, "Coach", mv.To.ID, "Name", mv.To.Name, "Count", len(out)))
	return err
}
