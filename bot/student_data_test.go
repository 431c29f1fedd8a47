package bot_test

import (
	"strings"
	"testing"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestStudentTaalMijnGegevensAndRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, tuesday)
	sanne, su := h.coach(store.Coach{Name: "Sanne"})
	noor, nu := h.student("Noor Bakker", sanne.ID)
	_, bu := h.student("Bram Jansen", sanne.ID)
	nu.SendText("Het gaat wel, ik zoek nog werk.")
	h.wait(nu, "thanks", has("Dank je"))

	// /taal: buttons, then English from then on (Postgres and the Redis conversation).
	nu.SendCommand("taal")
	m := h.wait(nu, "language buttons", func(m telegramtest.Sent) bool {
		return len(m.Keyboard) > 0 && strings.HasPrefix(m.Keyboard[0][0].CallbackData, "lang:")
	})
	nu.Tap(m.MessageID, "lang:en")
	h.wait(nu, "English", has("From now on I will talk English"))
	if s, _ := h.st.Student(h.ctx, noor.ID); s.Lang != "en" {
		t.Fatalf("lang %q", s.Lang)
	}
	if c, _, _ := h.st.CachedConv(h.ctx, nu.ID); c.Lang != "en" && c.Role != "" {
		t.Fatalf("cached conv lang %q", c.Lang)
	}
	nu.Tap(m.MessageID, "lang:xx") // forged
	// /mijngegevens: a message and a document with her own answers, nobody else's.
	last := lastID(nu)
	nu.SendCommand("mijngegevens")
	h.after(nu, "profile", last, has("Name: Noor Bakker"))
	doc := h.after(nu, "document", last, func(m telegramtest.Sent) bool { return m.Kind == "document" })
	if !strings.Contains(string(doc.Document), "ik zoek nog werk") || strings.Contains(string(doc.Document), "Bram") {
		t.Fatalf("document: %s", doc.Document)
	}

	// A student cannot use coach commands: they get the student help, nothing about anyone.
	for _, c := range []string{"overzicht", "student", "checkin", "dienst", "sluit"} {
		last := lastID(bu)
		bu.SendCommand(c, "Noor")
		r := h.after(bu, "help for /"+c, last, has("/mijngegevens"))
		if strings.Contains(r.Text, "Noor") {
			t.Fatalf("/%s leaked: %s", c, r.Text)
		}
	}
	// A stranger gets the polite refusal for every command, and nothing is stored.
	x := h.srv.NewUser("Vreemde")
	for _, c := range []string{"taal", "mijngegevens", "overzicht", "student", "checkin", "dienst", "sluit", "help"} {
		last := lastID(x)
		x.SendCommand(c, "Noor")
		r := h.after(x, "stranger reply to /"+c, last, has("uitnodiging"))
		if strings.Contains(r.Text, "Noor") {
			t.Fatalf("stranger /%s: %s", c, r.Text)
		}
	}
	x.Tap(1, "lang:en")
	n := storetest.Count(storetest.Students(t, h.st), func(s store.StudentRow) bool { return s.ChatID == x.ID })
	if n != 0 {
		t.Fatal("stranger stored")
	}
	// A coach's /help lists the coach commands.
	last = lastID(su)
	su.SendCommand("help")
	h.after(su, "coach help", last, has("/overzicht"))
}
