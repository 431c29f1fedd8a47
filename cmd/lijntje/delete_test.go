package main

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/lijntje/lijntje/store"
	"github.com/lijntje/lijntje/store/storetest"
)

// Not parallel: it swaps the package's stdin.
func TestStudentDeleteAsksForConfirmation(t *testing.T) {
	c := newCLI(t)
	c.must("coach", "add", "--name", "Sanne")
	var inv invited
	if err := json.Unmarshal([]byte(c.must("student", "add", "--name", "Fenna Cmdtest", "--coach", "1", "--json")), &inv); err != nil {
		t.Fatal(err)
	}
	c.must("student", "add", "--name", "Noor Bakker", "--coach", "1")

	// Link the student and cache their conversation, as `serve` would (default key prefix).
	ctx := context.Background()
	pool, err := store.Connect(ctx, c.url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	opt, _ := redis.ParseURL(storetest.RedisURL())
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	st := store.New(pool, rdb)
	chat := 900_000_000 + rand.Int64N(99_999_999)
	if _, err := st.RedeemInvite(ctx, inv.Code, chat); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Identify(ctx, chat); err != nil {
		t.Fatal(err)
	}
	key := "lijntje:conv:" + strconv.FormatInt(chat, 10)
	t.Cleanup(func() { rdb.Del(context.Background(), key) })
	if n, _ := rdb.Exists(ctx, key).Result(); n != 1 {
		t.Fatalf("seed: no conversation cached at %s", key)
	}

	defer func(old io.Reader) { stdin = old }(stdin)
	for _, input := range []string{"", "yes\n", "2\n"} { // no stdin (CI), a wrong answer, another ID
		stdin = strings.NewReader(input)
		code, out, errs := c.run("student", "delete", "1")
		if code != 1 || !strings.Contains(errs, "nothing deleted") {
			t.Fatalf("input %q: exit %d, %s%s", input, code, out, errs)
		}
		if n := c.count(`SELECT count(*) FROM students WHERE id = 1`); n != 1 {
			t.Fatalf("input %q deleted the student", input)
		}
	}
	stdin = strings.NewReader("1\n")
	if out := c.must("student", "delete", "1"); !strings.Contains(out, "Fenna Cmdtest") || !strings.Contains(out, "student 1 deleted") {
		t.Fatalf("confirmed delete: %s", out)
	}
	if n := c.count(`SELECT count(*) FROM students WHERE id = 1 OR name LIKE '%Fenna%'`); n != 0 {
		t.Fatalf("student still there")
	}
	if n, _ := rdb.Exists(ctx, key).Result(); n != 0 {
		t.Fatalf("conversation still cached at %s", key)
	}
	stdin = strings.NewReader("")
	c.must("student", "delete", "--yes", "2")
	if n := c.count(`SELECT count(*) FROM students`); n != 0 {
		t.Fatalf("--yes did not delete")
	}
	if code, _, _ := c.run("student", "delete", "2", "--yes"); code != 1 {
		t.Fatalf("deleting an unknown student: exit %d, want 1", code)
	}
	if code, _, _ := c.run("student", "delete", "--yes"); code != 2 {
		t.Fatalf("no ID: exit %d, want 2", code)
	}
}
