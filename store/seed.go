package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// This file holds what the benchmark needs beyond the service's own methods:
// students and due check-ins seeded in bulk, counts, and the bare write of
// its I/O floor.

// SeedStudent is a linked, active student for SeedLinkedStudents.
type SeedStudent struct {
	Name   string
	ChatID int64
}

// SeedLinkedStudents adds students of coachID that are linked to their chats
// and active, in one statement (thousands of invites redeemed one by one take
// minutes), and returns their IDs in the order given.
func (s *Store) SeedLinkedStudents(ctx context.Context, coachID int64, students []SeedStudent) ([]int64, error) {
	names := make([]string, len(students))
	chats := make([]int64, len(students))
	for i, st := range students {
		names[i], chats[i] = st.Name, st.ChatID
	}
	rows, err := s.db.Query(ctx, `INSERT INTO students (name, coach_id, lang, chat_id, status, linked_at)
		SELECT t.n, $1, 'nl', t.c, 'active', $4
		FROM unnest($2::text[], $3::bigint[]) AS t(n, c) RETURNING id, chat_id`,
		coachID, names, chats, s.now())
	if err != nil {
		return nil, fmt.Errorf("seed students: %w", err)
	}
	byChat := make(map[int64]int64, len(students))
	var id, chat int64
	if _, err := pgx.ForEachRow(rows, []any{&id, &chat}, func() error { byChat[chat] = id; return nil }); err != nil {
		return nil, fmt.Errorf("seed students: %w", err)
	}
	ids := make([]int64, len(students))
	for i, c := range chats {
		ids[i] = byChat[c]
	}
	return ids, nil
}

// StudentIDs returns the IDs of every student, in order.
func (s *Store) StudentIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.Query(ctx, `SELECT id FROM students ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("student ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("student ids: %w", err)
	}
	return ids, nil
}

// SeedDueCheckins schedules a check-in of the flow checkin for slot, due at
// due, for each of students, in one statement, and notifies running servers.
//
// It analyses the check-ins afterwards, as autovacuum will have done long
// before a real wave, whose check-ins were planned days ahead. Without it,
// the servers' connections keep the plans they cached while the table was
// nearly empty (a sequential scan of the check-ins for each opened one, say)
// until autovacuum comes round, which a benchmark's phase does not last.
func (s *Store) SeedDueCheckins(ctx context.Context, students []int64, slot, due time.Time) error {
	if _, err := s.db.Exec(ctx, `INSERT INTO checkins (student_id, flow_id, slot, due_at)
		SELECT id, 'checkin', $2, $3 FROM unnest($1::bigint[]) AS id`, students, slot, due); err != nil {
		return fmt.Errorf("seed checkins: %w", err)
	}
	if _, err := s.db.Exec(ctx, `ANALYZE checkins`); err != nil {
		return fmt.Errorf("analyze checkins: %w", err)
	}
	if _, err := s.db.Exec(ctx, `SELECT pg_notify($1, '')`, NotifyChannel); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// ClearStudents removes every student with their check-ins, answers, alerts,
// invites and outbox (the benchmark's own database between its phases).
func (s *Store) ClearStudents(ctx context.Context) error {
	if _, err := s.db.Exec(ctx, `TRUNCATE outbox, answers, signals, alert_events, alert_steps, alert_deliveries,
		alerts, checkins, invites, students RESTART IDENTITY CASCADE`); err != nil {
		return fmt.Errorf("clear students: %w", err)
	}
	return nil
}

// Analyze refreshes the planner's statistics after a bulk seed.
func (s *Store) Analyze(ctx context.Context) error {
	if _, err := s.db.Exec(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	return nil
}

// CheckinAnswers counts the answers given in a check-in, of students (nil: of everybody).
func (s *Store) CheckinAnswers(ctx context.Context, students []int64) (int, error) {
	var n int
	err := s.db.QueryRow(ctx, `SELECT count(*) FROM answers
		WHERE checkin_id IS NOT NULL AND ($1::bigint[] IS NULL OR student_id = ANY($1::bigint[]))`, students).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count answers: %w", err)
	}
	return n, nil
}

// OpenCheckinCount counts the check-ins that are open.
func (s *Store) OpenCheckinCount(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM checkins WHERE status = 'open'`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count open checkins: %w", err)
	}
	return n, nil
}

// SentCheckinCount counts the check-ins whose opener was sent, of every student but except.
func (s *Store) SentCheckinCount(ctx context.Context, except []int64) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM checkins WHERE sent_at IS NOT NULL AND student_id <> ALL($1::bigint[])`,
		nonNilIDs(except)).Scan(&n); err != nil {
		return 0, fmt.Errorf("count sent checkins: %w", err)
	}
	return n, nil
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// BackendPIDs returns the process IDs of the Postgres backends serving database name.
func (s *Store) BackendPIDs(ctx context.Context, name string) ([]int, error) {
	rows, err := s.db.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = $1`, name)
	if err != nil {
		return nil, fmt.Errorf("backends: %w", err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		return nil, fmt.Errorf("backends: %w", err)
	}
	out := make([]int, len(pids))
	for i, p := range pids {
		out[i] = int(p)
	}
	return out, nil
}

// PrepareFloor makes the table of the benchmark's I/O floor.
func (s *Store) PrepareFloor(ctx context.Context) error {
	if _, err := s.db.Exec(ctx, `CREATE TABLE IF NOT EXISTS bench_floor (id bigint PRIMARY KEY, at timestamptz NOT NULL)`); err != nil {
		return fmt.Errorf("floor table: %w", err)
	}
	return nil
}

// FloorWrite is the bare I/O of one operation of the benchmark's floor, with
// no Lijntje logic: one Redis round trip and one Postgres insert (the caller
// adds the send). It returns how many of the two failed, and the first error.
func (s *Store) FloorWrite(ctx context.Context, i int64) (int, error) {
	failed := 0
	var first error
	if err := s.rdb.Set(ctx, s.key.prefix+"floor:"+strconv.FormatInt(i, 10), 1, time.Minute).Err(); err != nil {
		failed, first = failed+1, fmt.Errorf("floor redis: %w", err)
	}
	if _, err := s.db.Exec(ctx, `INSERT INTO bench_floor (id, at) VALUES ($1, now())`, i); err != nil {
		failed++
		if first == nil {
			first = fmt.Errorf("floor postgres: %w", err)
		}
	}
	return failed, first
}

// Work is what Postgres and Redis report having done so far, server-wide:
// counts that, unlike CPU time, a busy or noisy machine does not move. The
// difference of two is the work done between them (by everyone on those
// servers, so the benchmark wants them to itself).
type Work struct {
	// WriteTransactions is Postgres's next transaction ID: only a
	// transaction that writes takes one, so it counts those (each a commit,
	// or a rollback after a write).
	WriteTransactions int64
	WALBytes          int64 // Postgres's write-ahead log insert position
	RedisCommands     int64 // commands Redis has processed
	RedisReads        int64 // Redis's read events: about one a round trip or pipeline (0 before Redis 7)
}

// Sub is the work done from o to w.
func (w Work) Sub(o Work) Work {
	return Work{w.WriteTransactions - o.WriteTransactions, w.WALBytes - o.WALBytes,
		w.RedisCommands - o.RedisCommands, w.RedisReads - o.RedisReads}
}

// Work reads the servers' counts now. Reading them writes nothing.
func (s *Store) Work(ctx context.Context) (Work, error) {
	var w Work
	err := s.db.QueryRow(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
		(pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint`).Scan(&w.WriteTransactions, &w.WALBytes)
	if err != nil {
		return w, fmt.Errorf("postgres work: %w", err)
	}
	info, err := s.rdb.Info(ctx, "stats").Result()
	if err != nil {
		return w, fmt.Errorf("redis work: %w", err)
	}
	for line := range strings.Lines(info) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		n, _ := strconv.ParseInt(v, 10, 64)
		switch k {
		case "total_commands_processed":
			w.RedisCommands = n
		case "total_reads_processed":
			w.RedisReads = n
		}
	}
	return w, nil
}
