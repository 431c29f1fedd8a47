package main

import (
	"fmt"
	"io"

	"github.com/lijntje/lijntje/flows"
)

// crisisCheck runs `lijntje flows check --crisis TEXT`: it prints the
// category and rule that fire on TEXT, or that none does, and exits 0 either way.
func crisisCheck(text string, w io.Writer) error {
	c, err := flows.LoadCrisis()
	if err != nil {
		return fmt.Errorf("flows check: %w", err)
	}
	_, err = io.WriteString(w, c.Explain(text))
	return err
}
