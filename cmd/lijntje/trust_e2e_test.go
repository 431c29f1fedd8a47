package main

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

func TestVoiceNoteReachesTheCoach(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, sanne := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	for _, s := range [][2]string{{"mood", "4"}, {"daytime", "looking"}, {"money", "ok"}, {"housing", "yes"},
		{"support", "yes"}, {"contact", "no"}} {
		w.answer(noor, s[0], s[1])
	}
	w.question(noor, "note")
	_, fileID := noor.SendVoice()
	w.waitText(noor, "Dank je wel")

	var note []string
	for _, r := range w.export() {
		if r[2] == "note" {
			note = r
		}
	}
	if note == nil || note[7] != fileID {
		t.Fatalf("note row %v: want the voice file ID %q", note, fileID)
	}
	w.waitText(sanne, "spraakbericht")
	copied := w.waitFor(sanne, func(m telegramtest.Sent) bool { return m.FromChatID == noor.ID && m.CopiedMessageID != 0 },
		"the voice message itself")
	if copied.Kind != "voice" {
		t.Errorf("the coach got a %q, want the voice message", copied.Kind)
	}
}

// editedFlow is the standard flow without the daytime_ok step: a new version.
func editedFlow(t *testing.T) fs.FS {
	src, err := fs.ReadFile(flows.FS(), "checkin.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	s = regexp.MustCompile(`(?m)^    branches:\n.*daytime_ok}\n`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`(?ms)^  - id: daytime_ok\n.*?\n\n`).ReplaceAllString(s, "")
	s = regexp.MustCompile(`(?m)^.*step: daytime_ok.*\n`).ReplaceAllString(s, "")
	if strings.Contains(s, "daytime_ok") {
		t.Fatalf("edit left daytime_ok in the flow:\n%s", s)
	}
	return fstest.MapFS{"checkin.yaml": {Data: []byte(s)}}
}

func TestFlowEditedMidCheckinKeepsItsVersion(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "4")
	w.answer(noor, "daytime", "work")
	w.question(noor, "daytime_ok")

	w.shutdown()
	w.flows = editedFlow(t) // deploy a flow without daytime_ok
	w.start()
	w.answer(noor, "daytime_ok", "yes") // the open check-in still asks it, on its own version
	for _, s := range [][2]string{{"money", "ok"}, {"housing", "yes"}, {"support", "yes"}, {"contact", "no"}, {"note", "done"}} {
		w.answer(noor, s[0], s[1])
	}
	w.waitText(noor, "Dank je wel")

	w.checkinNow(st.ID) // a new check-in takes the new version
	w.answer(noor, "mood", "5")
	w.answer(noor, "daytime", "work")
	w.question(noor, "money")

	versions := map[string]map[string]bool{} // check-in → versions
	for _, r := range w.export() {
		if versions[r[1]] == nil {
			versions[r[1]] = map[string]bool{}
		}
		versions[r[1]][r[6]] = true
	}
	if len(versions) != 2 {
		t.Fatalf("answers of %d check-ins exported, want 2", len(versions))
	}
	seen := map[string]bool{}
	for c, vs := range versions {
		if len(vs) != 1 {
			t.Errorf("check-in %s has answers of %d flow versions, want 1", c, len(vs))
		}
		for v := range vs {
			seen[v] = true
		}
	}
	if len(seen) != 2 {
		t.Errorf("both check-ins exported with the same flow version: %v", seen)
	}
}

func TestStopErasesAnswersAfterConfirmation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	coach, _ := w.addCoach("Sanne de Vries")
	st, noor := w.addStudent("Noor Bakker", coach.ID)
	w.checkinNow(st.ID)
	w.answer(noor, "mood", "4")
	w.answer(noor, "daytime", "work")
	w.question(noor, "daytime_ok")
	noor.SendText("ik heb een nieuwe baan bij de bakker")
	w.waitText(noor, "knoppen")

	noor.SendCommand("stop")
	ask := w.waitFor(noor, func(m telegramtest.Sent) bool { return hasData(m, "s:y") }, "stop confirmation")
	if n := len(w.export()); n != 3 {
		t.Fatalf("before confirming: %d answers, want 3 (nothing erased yet)", n)
	}
	if n := storedEchoes(w, "Ik werk"); n == 0 {
		t.Fatalf("the tapped answer was never echoed; the check below would prove nothing")
	}
	noor.Tap(ask.MessageID, "s:y")
	w.waitText(noor, "gewist")
	if n := len(w.export()); n != 0 {
		t.Errorf("after /stop: %d answers exported, want none", n)
	}
	if n := storedEchoes(w, "Ik werk"); n != 0 {
		t.Errorf("%d sent messages still echo the answer 'Ik werk'", n)
	}
	if n := storetest.Count(storetest.Students(w.t, w.srv.st), func(s store.StudentRow) bool { return s.Status == "stopped" }); n != 1 {
		t.Errorf("student not stopped")
	}
}

// storedEchoes counts the stored messages that echo text: outbox rows and
// check-in cards (a tap's edit is kept in its card).
func storedEchoes(w *world, text string) int {
	return storetest.Count(storetest.Outbox(w.t, w.srv.st), func(o store.OutboxRow) bool { return strings.Contains(o.Payload, text) }) +
		storetest.Count(storetest.Cards(w.t, w.srv.st), func(c store.CardRow) bool { return strings.Contains(c.Payload, text) })
}

func hasData(m telegramtest.Sent, data string) bool {
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.CallbackData == data {
				return true
			}
		}
	}
	return false
}
