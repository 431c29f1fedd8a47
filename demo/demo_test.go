package demo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/lijntje/lijntje/bot/telegramtest"
	"github.com/lijntje/lijntje/locales"
)

// TestPageDrivesTheDouble checks the page without a bot: what is typed,
// tapped and started reaches the double as the right user, and the chats
// show the bot's messages and the user's own in order.
func TestPageDrivesTheDouble(t *testing.T) {
	loc, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tg := telegramtest.Start(t)
	s := &Session{Student: tg.NewUser("Noor"), Coach: tg.NewUser("Sanne"), StudentCode: "code123", Now: time.Now,
		CheckinNow:  func(context.Context) error { return ErrNotStarted },
		FastForward: func(context.Context) error { return nil }}
	web := httptest.NewServer(Handler(Config{Loc: loc, Current: func() *Session { return s },
		Reset: func(context.Context) error { return nil }}))
	defer web.Close()

	post := func(action string, form url.Values) (int, string) {
		resp, err := http.PostForm(web.URL+"/api/"+action, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	get := func(lang string) state {
		resp, err := http.Get(web.URL + "/api/state?lang=" + lang)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var st state
		if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if get("nl").Started {
		t.Error("started before Start was tapped")
	}
	if code, body := post("checkin", nil); code != http.StatusConflict || !strings.Contains(body, "Start") {
		t.Errorf("check-in before joining: %d %s", code, body)
	}
	post("start", nil)
	post("send", url.Values{"who": {"coach"}, "text": {"/overzicht"}})
	post("voice", url.Values{"who": {"student"}})
	post("tap", url.Values{"who": {"student"}, "message": {"7"}, "data": {"a:1:mood:3"}})

	// No bot polls here: the updates wait in the double, as the bot would get them.
	resp, err := http.Get(tg.URL + "/bot" + tg.Token() + "/getUpdates")
	if err != nil {
		t.Fatal(err)
	}
	var got struct{ Result []models.Update }
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil || len(got.Result) != 4 {
		t.Fatalf("updates: %v %+v", err, got.Result)
	}
	u := got.Result
	if u[0].Message.Text != "/start code123" || u[0].Message.From.ID != s.Student.ID ||
		u[1].Message.Text != "/overzicht" || u[1].Message.From.ID != s.Coach.ID ||
		u[2].Message.Voice == nil || u[3].CallbackQuery == nil || u[3].CallbackQuery.Data != "a:1:mood:3" {
		t.Errorf("updates are not what the page sent: %+v", u)
	}
	st := get("nl")
	if !st.Started || !strings.Contains(st.Student, "/start") || !strings.Contains(st.Coach, "/overzicht") ||
		!strings.Contains(st.Student, "Spraakbericht") {
		t.Errorf("own messages not shown: %+v", st)
	}
	page, err := http.Get(web.URL + "/?lang=en")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(page.Body)
	page.Body.Close()
	html := strings.NewReplacer("/demo.css", "", "/demo.js", "").Replace(string(b))
	if !strings.Contains(html, "Send a check-in now") || strings.Contains(html, "demo.") { // an ID shown for want of a text
		t.Errorf("English page lacks its labels:\n%s", b)
	}
}
