package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/lijntje/lijntje/flows"
)

// parseFlowsCheck is `lijntje flows check`: validates every flow and
// translation, listing every problem.
func parseFlowsCheck(c *cmdline, args []string) (action, error) {
	fs := c.Flags("flows check")
	crisis := fs.String("crisis", "", c.T("cli.flag.crisis"))
	rest, err := c.Parse(fs, args, true)
	if err != nil {
		return nil, err
	}
	if *crisis != "" || len(rest) > 0 { // --crisis "tekst", or --crisis ik wil dood without quotes
		text := strings.TrimSpace(*crisis + " " + strings.Join(rest, " "))
		return func(_ context.Context, _ *deps, w io.Writer) error { return crisisCheck(text, w) }, nil
	}
	return func(_ context.Context, _ *deps, w io.Writer) error {
		msgs := map[string]map[string]bool{}
		for _, l := range c.Texts.Languages() {
			msgs[l] = c.Texts.IDs(l)
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
