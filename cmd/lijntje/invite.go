package main

import (
	"encoding/json"
	"fmt"
	"io"
)

// invited is what link-making commands print; --json prints it as one object
// with at least id, code and link (the contract).
type invited struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
	Link string `json:"link"`
	Role string `json:"role"`
}

func (c *cmdline) printInvite(w io.Writer, asJSON bool, v invited) error {
	if asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	_, err := fmt.Fprintln(w, c.T("cli.invite."+v.Role, "ID", v.ID, "Name", v.Name, "Link", v.Link))
	return err
}
