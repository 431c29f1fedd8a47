package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Figure is one number of the pilot's report: for a group of students (By
// "all", "cohort" — the month they left school, YYYY-MM —, "coach" or
// "school" — the import's school column, or else the part of the school's
// ref before its first separator, "ROC1-0042" → "ROC1"), a section and a
// measure.
type Figure struct {
	By      string
	Group   string
	Section string
	Measure string
	Value   float64
}

// Report sections.
const (
	SectionStatus   = "students by status"
	SectionResponse = "check-ins"
	SectionSignals  = "signals by severity"
	SectionAlerts   = "alerts"
)

// SectionWhere is the section of where students are m months after leaving school.
func SectionWhere(m int) string { return fmt.Sprintf("where at %d months", m) }

// Milestones are the months after leaving school the report looks at.
var Milestones = []int{3, 6, 12, 24}

// Measures of where students are besides the options of the flow's activity
// step: NoAnswer is a student who joined but gave no such answer yet,
// NeverJoined one who was invited and never joined.
const (
	NoAnswer    = "unknown"
	NeverJoined = "never joined"
)

// reportGroups assigns every student to the groups the report shows.
const reportGroups = `WITH g AS (
	SELECT id AS student_id, 'all' AS by, 'all' AS grp FROM students
	UNION ALL
	SELECT id, 'cohort', coalesce(to_char(left_school, 'YYYY-MM'), 'unknown') FROM students
	UNION ALL
	SELECT s.id, 'coach', c.name || ' #' || c.id FROM students s JOIN coaches c ON c.id = s.coach_id
	UNION ALL
	SELECT id, 'school', coalesce(nullif(btrim(school), ''),
		CASE WHEN ref ~ '^[^-/_. ]+[-/_. ]' THEN substring(ref FROM '^([^-/_. ]+)[-/_. ]') END)
	FROM students WHERE nullif(btrim(school), '') IS NOT NULL OR ref ~ '^[^-/_. ]+[-/_. ]')
`

// reportQueries compute every figure in Postgres; each returns by, group, section, measure, value.
var reportQueries = []string{
	// Students by status.
	reportGroups + `SELECT g.by, g.grp, '` + SectionStatus + `', s.status, count(*)::float8
	FROM g JOIN students s ON s.id = g.student_id GROUP BY 1, 2, 4`,
	// Response: check-ins sent, completed, needing a reminder, and completed / sent.
	reportGroups + `, r AS (SELECT g.by, g.grp,
		count(*) FILTER (WHERE c.sent_at IS NOT NULL) AS sent,
		-- Answered: completed, or partial (every button but the note, say).
		count(*) FILTER (WHERE c.status IN ('completed', 'partial')) AS completed,
		count(*) FILTER (WHERE c.reminded_at IS NOT NULL) AS reminded
	FROM g JOIN checkins c ON c.student_id = g.student_id GROUP BY 1, 2)
	SELECT by, grp, '` + SectionResponse + `', m, v FROM r, LATERAL (VALUES
		('sent', sent::float8), ('completed', completed::float8), ('reminded', reminded::float8),
		('response rate', CASE WHEN sent > 0 THEN completed::float8 / sent END)) AS x(m, v)
	WHERE v IS NOT NULL`,
	// Where students are: the latest answer to the activity step ($4) at each
	// milestone they reached (midnight in the deployment's zone, $3).
	reportGroups + `, w AS (SELECT g.by, g.grp, m.months, CASE WHEN s.chat_id IS NULL AND s.linked_at IS NULL AND s.status = 'invited'
			THEN '` + NeverJoined + `' ELSE coalesce((SELECT a.option FROM answers a
			WHERE a.student_id = s.id AND a.step = $4 AND a.option IS NOT NULL
			  AND a.answered_at < (s.left_school + make_interval(months => m.months))::timestamp AT TIME ZONE $3
			ORDER BY a.answered_at DESC, a.id DESC LIMIT 1), '` + NoAnswer + `') END AS activity
		FROM g JOIN students s ON s.id = g.student_id CROSS JOIN unnest($2::int[]) AS m(months)
		WHERE s.left_school IS NOT NULL
		  AND (s.left_school + make_interval(months => m.months))::timestamp AT TIME ZONE $3 <= $1)
	SELECT by, grp, 'where at ' || months || ' months', activity, count(*)::float8 FROM w GROUP BY 1, 2, 3, 4`,
	// Signals by severity.
	reportGroups + `SELECT g.by, g.grp, '` + SectionSignals + `', sg.severity, count(*)::float8
	FROM g JOIN signals sg ON sg.student_id = g.student_id GROUP BY 1, 2, 4`,
	// Alerts: how many, minutes to take-on (median, p90), never taken on.
	reportGroups + `, t AS (SELECT g.by, g.grp, count(*) AS n,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a.taken_at - a.opened_at) / 60) AS median,
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM a.taken_at - a.opened_at) / 60) AS p90,
		count(*) FILTER (WHERE a.taken_at IS NULL) AS never
	FROM g JOIN alerts a ON a.student_id = g.student_id GROUP BY 1, 2)
	SELECT by, grp, '` + SectionAlerts + `', m, v FROM t, LATERAL (VALUES
		('count', n::float8), ('median minutes to take-on', median), ('p90 minutes to take-on', p90),
		('never taken on', never::float8)) AS x(m, v)
	WHERE v IS NOT NULL`,
}

// Report computes the pilot's figures as of now, all in SQL: nothing but the
// figures themselves leaves Postgres. Erased students are not in it. Months
// after leaving school begin at midnight in zone, the deployment's; where
// students are is their answer to activityStep, the flow's flows.RoleActivity step.
func (s *Store) Report(ctx context.Context, now time.Time, zone *time.Location, activityStep string) ([]Figure, error) {
	var out []Figure
	for i, q := range reportQueries {
		var args []any
		if i == 2 {
			args = []any{now, Milestones, zone.String(), activityStep}
		}
		rows, err := s.db.Query(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		fs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Figure, error) {
			var f Figure
			return f, r.Scan(&f.By, &f.Group, &f.Section, &f.Measure, &f.Value)
		})
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		out = append(out, fs...)
	}
	return out, nil
}
