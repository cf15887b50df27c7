package main

import (
	"context"
	mrand "math/rand/v2"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/survey"
)

// demoCases opens the follow-up case of every demo response that calls for one and moves it
// on as a centre would have: most older cases settled (some late, a few unresolvable), some
// assigned, recent ones still open, a few open past their deadline and escalated.
func demoCases(ctx context.Context, db *mongodb.DB, rng *mrand.Rand, responses []any, now time.Time) error {
	set := cases.DefaultSettings()
	var open []*cases.Case
	for _, v := range responses {
		seed := cases.SeedOf(v.(*survey.Response))
		if seed == nil {
			continue
		}
		c := cases.New(seed, set.Calendar, set.DaysFor(seed.Kind))
		demoCaseHistory(rng, c, set.Calendar, now)
		open = append(open, c)
	}
	return mongodb.NewCaseStore(db).Open(ctx, open)
}

var demoNotes = []string{
	"Đã gọi điện cho công dân, xin lỗi và hướng dẫn lại thủ tục.",
	"Đã nhắc nhở công chức tiếp nhận; bổ sung bảng niêm yết thủ tục.",
	"Đã làm việc với bộ phận trả kết quả về việc trễ hẹn.",
}

// demoCaseHistory gives c a timeline fitting its age at now.
func demoCaseHistory(rng *mrand.Rand, c *cases.Case, cal cases.Calendar, now time.Time) {
	note := func(at time.Time, action, text string) {
		c.Notes = append(c.Notes, cases.Note{At: at, By: "admin", Action: action, Text: text})
		c.Version++
	}
	age := now.Sub(c.CreatedAt)
	if rng.Float64() < 0.7 || c.Kind == cases.KindIntegrity {
		c.Assignee = "admin"
		note(c.CreatedAt.Add(3*time.Hour), cases.ActAssign, "")
	}
	x := rng.Float64()
	switch {
	case age < 5*24*time.Hour || (age < 30*24*time.Hour && x < 0.3): // still being handled
	case x < 0.06: // never handled: past its deadline, escalated
		if now.After(c.DueAt) {
			at := c.DueAt.Add(time.Hour)
			c.EscalatedAt, c.EscalatedTo = &at, "000.00.00.H48"
			note(at, "escalate", c.EscalatedTo)
		}
	case x < 0.1:
		at := c.CreatedAt.Add(time.Duration(2+rng.IntN(6)) * 24 * time.Hour)
		c.Status, c.Outcome, c.SettledAt = cases.StatusUnresolvable, "Không liên hệ được với công dân.", &at
		note(at, cases.ActClose, c.Outcome)
	default: // settled: nine in ten on time
		days := 1 + rng.IntN(9)
		if rng.Float64() < 0.1 {
			days = 11 + rng.IntN(8)
		}
		at := cal.Deadline(c.CreatedAt, days).Add(-6 * time.Hour)
		if at.After(now) {
			return
		}
		text := demoNotes[rng.IntN(len(demoNotes))]
		c.Status, c.Outcome, c.SettledAt = cases.StatusResolved, text, &at
		note(at, cases.ActResolve, text)
	}
}
