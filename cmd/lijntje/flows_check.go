package main

import (
	"context"
	"fmt"
	"io"

	"github.com/lijntje/lijntje/flows"
)

// parseFlowsCheck is `lijntje flows check`: validates every flow and
// translation, listing every problem.
func parseFlowsCheck(c *cmdline, args []string) (action, error) {
	fs := c.flags("flows check")
	if _, err := c.parse(fs, args, false); err != nil {
		return nil, err
	}
	return func(_ context.Context, _ *deps, w io.Writer) error {
		msgs := map[string]map[string]bool{}
		for _, l := range c.texts.Languages() {
			msgs[l] = c.texts.IDs(l)
		}
		problems := flows.Check(flows.FS(), msgs)
		for _, p := range problems {
			fmt.Fprintln(w, p.Error())
		}
		if len(problems) > 0 {
			return fmt.Errorf("flows check: %s", c.T("cli.flows.problems", "Count", len(problems)))
		}
		fmt.Fprintln(w, c.T("cli.flows.ok"))
		return nil
	}, nil
}
