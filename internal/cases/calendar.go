package cases

import (
	"slices"
	"time"

	"github.com/hailong/hailong/internal/stats"
)

// Calendar is the centre's working time: which weekdays it works and the holidays an admin
// entered, in Asia/Ho_Chi_Minh. Deadlines count its working days.
type Calendar struct {
	// Weekdays the centre works, Monday to Friday by default; a Saturday-morning centre adds
	// time.Saturday.
	Weekdays []time.Weekday `bson:"weekdays" json:"weekdays"`
	// Holidays are days off that fall on a working weekday (Tết, 30/4, 2/9…), any year.
	Holidays []stats.Date `bson:"holidays" json:"holidays"`
}

// DefaultCalendar is Monday to Friday without holidays.
func DefaultCalendar() Calendar {
	return Calendar{Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}
}

// Working reports whether d is a working day.
func (c Calendar) Working(d stats.Date) bool {
	return slices.Contains(c.Weekdays, d.Time().Weekday()) && !slices.Contains(c.Holidays, d)
}

// Deadline is the end of the n-th working day after the day of at (that day itself not
// counted): a case opened on Friday evening with 5 working days is due at the end of the next
// Friday. A calendar without working days never reaches a deadline; it counts calendar days.
func (c Calendar) Deadline(at time.Time, n int) time.Time {
	d := stats.DateOf(at)
	if len(c.Weekdays) == 0 {
		return endOf(d.AddDays(n))
	}
	for left := n; left > 0; {
		d = d.AddDays(1)
		if c.Working(d) {
			left--
		}
	}
	return endOf(d)
}

// WorkingDaysBetween counts the working days after the day of from up to and including the day
// of to (0 when to is not later): how long a case took, in the unit deadlines use.
func (c Calendar) WorkingDaysBetween(from, to time.Time) int {
	a, b := stats.DateOf(from), stats.DateOf(to)
	n := 0
	for d := a.AddDays(1); !d.After(b); d = d.AddDays(1) {
		if len(c.Weekdays) == 0 || c.Working(d) {
			n++
		}
	}
	return n
}

// PreviousWorkingDay is the start of the working day before the day of t: when the assignee
// is reminded of a deadline at t.
func (c Calendar) PreviousWorkingDay(t time.Time) time.Time {
	d := stats.DateOf(t)
	for i := 0; i < 366; i++ {
		d = d.AddDays(-1)
		if len(c.Weekdays) == 0 || c.Working(d) {
			break
		}
	}
	return d.Time()
}

// endOf is the last instant of day d in Asia/Ho_Chi_Minh.
func endOf(d stats.Date) time.Time { return d.AddDays(1).Time().Add(-time.Nanosecond) }
