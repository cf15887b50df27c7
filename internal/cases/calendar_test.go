package cases_test

import (
	"testing"
	"time"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
)

// at is a time in Asia/Ho_Chi_Minh.
func at(y int, m time.Month, d, h int) time.Time {
	return time.Date(y, m, d, h, 0, 0, 0, stats.TimeZone())
}

func TestDeadlinesCountWorkingDays(t *testing.T) {
	week := cases.DefaultCalendar()
	withHoliday := cases.DefaultCalendar()
	withHoliday.Holidays = []stats.Date{stats.NewDate(2026, 12, 1)} // a Tuesday
	saturdays := cases.DefaultCalendar()
	saturdays.Weekdays = append(saturdays.Weekdays, time.Saturday)
	tests := []struct {
		name string
		cal  cases.Calendar
		from time.Time
		days int
		want stats.Date // due at the end of this day
	}{
		// Friday 27/11 evening + 5 working days: Mon 30, Tue 1, Wed 2, Thu 3, Fri 4.
		{"a week", week, at(2026, 11, 27, 18), 5, stats.NewDate(2026, 12, 4)},
		// Tuesday 1/12 off: Mon 30, Wed 2, Thu 3, Fri 4, Mon 7.
		{"over a holiday", withHoliday, at(2026, 11, 27, 18), 5, stats.NewDate(2026, 12, 7)},
		// Saturdays work: Sat 28, Mon 30, Tue 1, Wed 2, Thu 3.
		{"Saturday mornings", saturdays, at(2026, 11, 27, 18), 5, stats.NewDate(2026, 12, 3)},
		// Opened on a Sunday: Mon 30 … Fri 4 (5), Mon 7 … Fri 11 (10).
		{"ten from a Sunday", week, at(2026, 11, 29, 9), 10, stats.NewDate(2026, 12, 11)},
		// 17:30 UTC on Friday is already Saturday 00:30 in Hồ Chí Minh City.
		{"the centre's time zone", week, time.Date(2026, 11, 27, 17, 30, 0, 0, time.UTC), 1, stats.NewDate(2026, 11, 30)},
	}
	for _, tc := range tests {
		due := tc.cal.Deadline(tc.from, tc.days)
		if stats.DateOf(due) != tc.want || !stats.DateOf(due.Add(time.Nanosecond)).After(tc.want) {
			t.Errorf("%s: due %s, want the end of %s", tc.name, due.In(stats.TimeZone()), tc.want)
		}
	}
}

func TestWorkingDaysBetweenAndTheReminderDay(t *testing.T) {
	cal := cases.DefaultCalendar()
	// Opened Friday 27/11, settled Wednesday 2/12: Mon, Tue, Wed = 3 working days.
	if n := cal.WorkingDaysBetween(at(2026, 11, 27, 10), at(2026, 12, 2, 16)); n != 3 {
		t.Errorf("working days = %d, want 3", n)
	}
	// Due Monday 7/12: reminded from the start of Friday 4/12.
	if d := cal.PreviousWorkingDay(at(2026, 12, 7, 23)); !d.Equal(at(2026, 12, 4, 0)) {
		t.Errorf("reminder day = %s, want Friday 4/12", d)
	}
}
