package bot

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/lijntje/lijntje/severity"
	"github.com/lijntje/lijntje/store"
)

// overviewPage is how many students one page of /overzicht shows.
const overviewPage = 10

// cmdOverzicht shows the first page of the coach's week (replacing the
// alphabetical list, cut off at about fifty, that it was).
func (b *Bot) cmdOverzicht(ctx context.Context, x *in) error {
	text, buttons, err := b.overviewPage(ctx, x, 0)
	if err != nil {
		return err
	}
	_, err = b.record(ctx, x, store.Record{Out: []store.Message{x.reply(text, buttons...)}})
	return err
}

// overviewPage renders page (0-based) of the coach's students, what needs
// attention first, with a button per student (their card) and ◀ ▶ to page.
func (b *Bot) overviewPage(ctx context.Context, x *in, page int) (string, [][]store.Button, error) {
	rows, err := b.st.Attention(ctx, x.conv.ID)
	if err != nil {
		return "", nil, err
	}
	lang := x.conv.Lang
	if len(rows) == 0 {
		return b.t(lang, "coach.overzicht.empty", nil), nil, nil
	}
	total := len(rows)
	pages := (total + overviewPage - 1) / overviewPage
	page = max(0, min(page, pages-1))
	rows = rows[page*overviewPage : min(len(rows), (page+1)*overviewPage)]
	var sb strings.Builder
	sb.WriteString(b.t(lang, "talk.overview.title", map[string]any{"Count": total, "Page": page + 1, "Pages": pages}))
	var buttons [][]store.Button
	now := b.cfg.Now()
	for _, r := range rows {
		last := b.t(lang, "coach.overzicht.never", nil)
		if !r.LastCheckin.IsZero() {
			last = b.localTime(r.LastCheckin)
		}
		icon := "▫️"
		var why []string
		if r.OpenAlert != severity.None {
			icon = severityIcon[r.OpenAlert]
			why = append(why, b.t(lang, "coach.severity."+r.OpenAlert.String(), nil))
		} else if r.NewRisk != severity.None {
			icon = "🔸"
		}
		if r.NewRisk != severity.None {
			why = append(why, b.t(lang, "talk.overview.new_risk", nil))
		}
		if r.Silent && r.Status == store.StatusActive {
			days := 0
			if !r.LastContact.IsZero() {
				days = int(now.Sub(r.LastContact).Hours() / 24)
			}
			if days > 0 {
				why = append(why, b.t(lang, "talk.overview.silent", map[string]any{"Days": days}))
			}
			if icon == "▫️" {
				icon = "🔇"
			}
		}
		line := fmt.Sprintf("\n%s %s (#%d) · %s · %s", icon, r.Name, r.ID,
			b.t(lang, "coach.status."+r.Status, nil), b.t(lang, "coach.overzicht.last", map[string]any{"Time": last}))
		if len(why) > 0 {
			line += " · " + strings.Join(why, ", ")
		}
		if r.CoachID != x.conv.ID {
			line += " · " + firstName(r.CoachName)
		}
		sb.WriteString(line)
		buttons = append(buttons, []store.Button{{Text: clip(icon+" "+r.Name, 60), Data: "h:" + strconv.FormatInt(r.ID, 10)}})
	}
	var nav []store.Button
	if page > 0 {
		nav = append(nav, store.Button{Text: b.t(lang, "talk.overview.prev", nil), Data: "o:" + strconv.Itoa(page)}) // pages are 1-based in data
	}
	if page < pages-1 {
		nav = append(nav, store.Button{Text: b.t(lang, "talk.overview.next", nil), Data: "o:" + strconv.Itoa(page+2)})
	}
	if len(nav) > 0 {
		buttons = append(buttons, nav)
	}
	return clip(sb.String(), 4000), buttons, nil
}

// overviewTap turns the page of an overview (o:PAGE, 1-based) in place.
func (b *Bot) overviewTap(ctx context.Context, x *in, page int64) error {
	text, buttons, err := b.overviewPage(ctx, x, int(page)-1)
	if err != nil {
		return err
	}
	msg := x.reply(text, buttons...)
	if m := x.u.CallbackQuery.Message.Message; m != nil {
		msg.Kind, msg.EditMessageID = store.KindEdit, m.ID
	}
	_, err = b.record(ctx, x, store.Record{Out: []store.Message{msg}})
	if err == nil {
		b.answerCallback(ctx, x, "")
	}
	return err
}
