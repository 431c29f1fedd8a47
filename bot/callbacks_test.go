package bot

import (
	"strings"
	"testing"

	"github.com/lijntje/lijntje/flows"
	"github.com/lijntje/lijntje/store"
)

// TestCallbackTableFindsEveryButton: the data of every kind of button Lijntje
// sends finds its handler in the one table, for the role it was sent to, and
// fits Telegram's 64 bytes.
func TestCallbackTableFindsEveryButton(t *testing.T) {
	for _, c := range []struct{ role, data string }{
		{store.RoleStudent, flows.CallbackData(1<<40, "mood", "good")},
		{store.RoleStudent, "contact"},
		{store.RoleStudent, "lang:en"},
		{store.RoleStudent, "m:d:1"},
		{store.RoleStudent, "m:1:evening"},
		{store.RoleStudent, "p:4"},
		{store.RoleStudent, "p:r"},
		{store.RoleStudent, "s:y"},
		{store.RoleStudent, doubtUnsure},
		{store.RoleStudent, dataRestart},
		{store.RoleCoach, "t:123456789"},
		{store.RoleCoach, "h:123456789"},
		{store.RoleCoach, "x:123456789"},
		{store.RoleCoach, "k:123456789"},
		{store.RoleCoach, "m:123456789"},
		{store.RoleCoach, "o:2"},
		{store.RoleCoach, "dienst:aan"},
		{store.RoleCoach, "ag:123456789"},
		{store.RoleCoach, "rf:123456789"},
		{store.RoleCoach, "rk:123456789:" + store.ReferralKinds[0]},
		{store.RoleCoach, "rs:123456789"},
		{store.RoleCoach, "rt:123456789:" + store.ReferralStatuses[0]},
		{store.RoleCoach, "ac:123456789"},
		{store.RoleCoach, "ax:123456789:" + store.AgreementDropped},
	} {
		prefix, _, found := strings.Cut(c.data, ":")
		if found {
			prefix += ":"
		}
		if _, ok := taps[tapKey{c.role, prefix}]; !ok {
			t.Errorf("%s button %q: no handler", c.role, c.data)
		}
		if len(c.data) > 64 {
			t.Errorf("%q is %d bytes", c.data, len(c.data))
		}
	}
	for _, data := range []string{"contact:x", "lang", "crisis", "go"} { // malformed: the stale answer
		prefix, _, found := strings.Cut(data, ":")
		if found {
			prefix += ":"
		}
		if _, ok := taps[tapKey{store.RoleStudent, prefix}]; ok {
			t.Errorf("student data %q found a handler", data)
		}
	}
	if _, ok := taps[tapKey{store.RoleStudent, "t:"}]; ok {
		t.Error("a coach's button found a handler for a student")
	}
}
