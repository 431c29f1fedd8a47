package desk

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/lijntje/lijntje/store"
)

// Invited is what link-making commands print; as JSON it is one object with
// at least id, code and link (the contract).
type Invited struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Code string `json:"code"`
	Link string `json:"link"`
	Role string `json:"role"`
}

// WriteInvite prints who was invited and their link: a line in the
// coordinator's language, or one JSON object.
func (d *Desk) WriteInvite(w io.Writer, asJSON bool, id int64, name, code, role string) error {
	v := Invited{ID: id, Name: name, Code: code, Link: d.Link(code), Role: role}
	if asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	_, err := fmt.Fprintln(w, d.T("cli.invite."+v.Role, "ID", v.ID, "Name", v.Name, "Link", v.Link))
	return err
}

// AddCoach adds coach c and returns their invite code; unless force, a name
// another coach already has (spaces and case aside) is refused.
func (d *Desk) AddCoach(ctx context.Context, c store.Coach, force bool) (store.Coach, string, error) {
	if !force {
		coaches, err := d.Store.Coaches(ctx)
		if err != nil {
			return c, "", err
		}
		for _, other := range coaches {
			if strings.EqualFold(strings.Join(strings.Fields(other.Name), " "), c.Name) {
				return c, "", fmt.Errorf("coach add: %s", d.T("cli.coach.duplicate", "Name", c.Name, "ID", other.ID))
			}
		}
	}
	return d.Store.AddCoach(ctx, c, d.InviteTTL)
}
