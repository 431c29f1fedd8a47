package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// A coordinator hands out links, fixes a typo in the list and imports it
// again: every handed-out link keeps working. Only --renew changes links,
// and --dry-run says which. The links name the bot Telegram says this is
// (getMe), with no BOT_USERNAME set.
func TestReimportKeepsHandedOutLinksAndRenewChangesThem(t *testing.T) {
	t.Parallel()
	w := newWorldWith(t, map[string]string{"BOT_USERNAME": ""})
	w.addCoach("Sanne de Vries")
	left := w.clock.Now().AddDate(0, -5, 0).Format("2-1-2006")
	dir := t.TempDir()
	list := filepath.Join(dir, "leerlingen.csv")
	write := func(noor string) {
		t.Helper()
		body := "naam;coach;uitstroomdatum;kenmerk\n" + noor + ";1;" + left + ";A1\nSem Jansen;1;" + left + ";A2\n"
		if err := os.WriteFile(list, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	links := func(path string) map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, r := range readDutchCSV(t, path)[1:] {
			out[r[1]] = r[2]
		}
		return out
	}
	code := func(link string) string {
		t.Helper()
		prefix := "https://t.me/" + w.tg.BotUsername() + "?start="
		c, ok := strings.CutPrefix(link, prefix)
		if !ok {
			t.Fatalf("link %q does not name the bot %s", link, w.tg.BotUsername())
		}
		return c
	}

	write("Noor Bakkr")
	w.cli("student", "import", list, "--out", filepath.Join(dir, "links.csv"))
	handed := links(filepath.Join(dir, "links.csv"))

	write("Noor Bakker") // the typo fixed
	out := w.cli("student", "import", list, "--out", filepath.Join(dir, "again.csv"))
	if strings.Contains(out, "https://") || !strings.Contains(out, "2 bijgewerkt (2 behouden hun uitgedeelde link)") {
		t.Fatalf("re-import:\n%s", out)
	}
	noor := w.tg.NewUser("Noor")
	noor.SendCommand("start", code(handed["A1"]))
	w.waitText(noor, "Welkom bij Lijntje")
	if n := storetest.Count(storetest.Students(w.t, w.srv.st), func(s store.StudentRow) bool { return s.Name == "Noor Bakker" && s.ChatID != 0 }); n != 1 {
		t.Fatal("Noor's handed-out link did not link the re-imported Noor")
	}

	out = w.cli("student", "import", list, "--dry-run", "--renew")
	if !strings.Contains(out, "Sem Jansen (jongere 2) krijgt een nieuwe link") || strings.Contains(out, "Noor Bakker (jongere 1) krijgt een nieuwe link") {
		t.Fatalf("--dry-run --renew should list Sem's link and not linked Noor's:\n%s", out)
	}
	w.cli("student", "import", list, "--renew", "--out", filepath.Join(dir, "renewed.csv"))
	renewed := links(filepath.Join(dir, "renewed.csv"))
	if renewed["A2"] == handed["A2"] {
		t.Fatal("--renew kept Sem's link")
	}
	oldPhone := w.tg.NewUser("Sem")
	oldPhone.SendCommand("start", code(handed["A2"]))
	w.waitText(oldPhone, "werkt niet")
	sem := w.tg.NewUser("Sem")
	sem.SendCommand("start", code(renewed["A2"]))
	w.waitText(sem, "Welkom bij Lijntje")
}
