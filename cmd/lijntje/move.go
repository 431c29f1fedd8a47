package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
)

// parseStudentMove is `student move ID --coach C`: it hands a student over to
// another coach and tells the student (in the new coach's name) and both
// coaches. A running `lijntje serve` sends the messages.
func parseStudentMove(c *cmdline, args []string) (action, error) {
	fs := c.Flags("student move")
	coach := fs.String("coach", "", c.T("cli.flag.move_coach"))
	ids, err := c.Parse(fs, args, true)
	if err != nil {
		return nil, err
	}
	if len(ids) != 1 || *coach == "" {
		return nil, c.Usage("student move", "cli.usage.move")
	}
	id, err := strconv.ParseInt(ids[0], 10, 64)
	if err != nil || id <= 0 {
		return nil, c.Usage("student move", "cli.usage.not_id", "Arg", strconv.Quote(ids[0]))
	}
	return func(ctx context.Context, d *deps, w io.Writer) error { return studentMove(ctx, d, id, *coach, w) }, nil
}

// studentMove hands student id over to coach (an ID or a name) and tells all three.
func studentMove(ctx context.Context, d *deps, id int64, coach string, w io.Writer) error {
	mv, n, err := d.desk(nil).MoveStudent(ctx, id, coach)
	if err != nil {
		return err
	}
	d.Log.InfoContext(ctx, "student moved", "student_id", mv.Student.ID, "from_coach_id", mv.From.ID, "to_coach_id", mv.To.ID)
	_, err = fmt.Fprintln(w, d.cli.T("cli.move.done", "ID", mv.Student.ID, "Coach", mv.To.ID, "Name", mv.To.Name, "Count", n))
	return err
}
