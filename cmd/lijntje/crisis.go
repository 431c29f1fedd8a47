package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/lijntje/lijntje/flows"
)

// crisisCheck runs `lijntje flows check --crisis TEXT`: it prints the
// category and rule that fire on TEXT, or that none does, and exits 0 either way.
func crisisCheck(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("flows check", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	text := fs.String("crisis", "", "a text to try the crisis rules on")
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("flows check: %v: %w", err, errUsage)
	}
	if *text == "" && fs.NArg() == 0 {
		return fmt.Errorf("flows check: --crisis needs a text: %w", errUsage)
	}
	if fs.NArg() > 0 { // --crisis ik wil dood (without quotes)
		*text = strings.TrimSpace(*text + " " + strings.Join(fs.Args(), " "))
	}
	c, err := flows.LoadCrisis()
	if err != nil {
		return fmt.Errorf("flows check: %w", err)
	}
	_, err = io.WriteString(w, c.Explain(*text))
	return err
}
