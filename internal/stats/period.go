package stats

import (
	"cmp"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // carry Asia/Ho_Chi_Minh even where the OS has no tzdata
)

// TimeZoneName is the IANA name of the platform's time zone.
const TimeZoneName = "Asia/Ho_Chi_Minh"

var timeZone = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation(TimeZoneName); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
})

// TimeZone returns the Asia/Ho_Chi_Minh location, or a fixed UTC+7 zone
// named "ICT" if it cannot be loaded. All civil dates in this package are
// in this zone.
func TimeZone() *time.Location { return timeZone() }

// Errors returned by the date and period functions. Returned errors wrap
// one of these (test with errors.Is) and add detail in English.
var (
	// ErrInvalidDate: a date string is not a valid YYYY-MM-DD date.
	ErrInvalidDate = errors.New("invalid date, want YYYY-MM-DD")
	// ErrPeriodOrder: a period starts after it ends.
	ErrPeriodOrder = errors.New("period start is after its end")
	// ErrPeriodTooLong: a period spans more than MaxPeriodDays days.
	ErrPeriodTooLong = errors.New("period is too long")
	// ErrPeriodKind: unknown period kind.
	ErrPeriodKind = errors.New("unknown period kind")
	// ErrPeriodIndex: month/quarter/half index out of range.
	ErrPeriodIndex = errors.New("period index out of range")
	// ErrPeriodYear: year outside 1..9999.
	ErrPeriodYear = errors.New("year out of range")
)

// MaxPeriodDays is the longest period accepted by NewPeriod and
// ParsePeriod, counted in days with both ends included.
const MaxPeriodDays = 3660

// Period kinds accepted by PeriodOf.
const (
	// PeriodMonth is a calendar month, index 1..12.
	PeriodMonth = "month"
	// PeriodQuarter is a calendar quarter, index 1..4.
	PeriodQuarter = "quarter"
	// PeriodHalf is a half year of 6 months, index 1..2.
	PeriodHalf = "half"
	// PeriodNineMonths is January 1 to September 30; the index is ignored.
	PeriodNineMonths = "nine-months"
	// PeriodYear is a calendar year; the index is ignored.
	PeriodYear = "year"
)

// Date is a civil date (no time of day, no zone) interpreted in
// Asia/Ho_Chi_Minh. The zero Date is "no date". Dates are comparable with
// == when normalized (as produced by NewDate, ParseDate, DateOf, AddDays).
// As JSON/text it is "YYYY-MM-DD" ("" for the zero Date).
type Date struct {
	Year  int        // calendar year, e.g. 2026
	Month time.Month // 1..12
	Day   int        // 1..31
}

// NewDate returns the date year-month-day, normalizing out-of-range values
// like time.Date does (e.g. February 30 becomes March 1 or 2).
func NewDate(year int, month time.Month, day int) Date {
	return dateFromUTC(time.Date(year, month, day, 0, 0, 0, 0, time.UTC))
}

// ParseDate parses a strict YYYY-MM-DD date (zero-padded, real calendar
// day). Errors wrap ErrInvalidDate.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: %q", ErrInvalidDate, s)
	}
	return dateFromUTC(t), nil
}

// DateOf returns the Asia/Ho_Chi_Minh civil date of the instant t, whatever
// t's own location (e.g. 2026-03-31T17:30:00Z is 2026-04-01).
func DateOf(t time.Time) Date {
	y, m, d := t.In(TimeZone()).Date()
	return Date{y, m, d}
}

func dateFromUTC(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) utc() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String formats d as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// normal reports, cheaply, whether d is a normalized calendar date.
func (d Date) normal() bool {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 || d.Day > 31 {
		return false
	}
	if d.Day <= 28 {
		return true
	}
	last := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[d.Month-1]
	if d.Month == time.February && d.Year%4 == 0 && (d.Year%100 != 0 || d.Year%400 == 0) {
		last = 29
	}
	return d.Day <= last
}

// Valid reports whether d is a normalized, non-zero calendar date.
func (d Date) Valid() bool { return !d.IsZero() && NewDate(d.Year, d.Month, d.Day) == d }

// Time returns the instant d starts (00:00) in Asia/Ho_Chi_Minh.
func (d Date) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, TimeZone())
}

// AddDays returns d shifted by n days (n may be negative).
func (d Date) AddDays(n int) Date { return dateFromUTC(d.utc().AddDate(0, 0, n)) }

// AddMonths returns d shifted by n months, normalizing like time.AddDate
// (January 31 + 1 month is March 2 or 3).
func (d Date) AddMonths(n int) Date { return dateFromUTC(d.utc().AddDate(0, n, 0)) }

// Sub returns the number of days from e to d (d − e).
func (d Date) Sub(e Date) int { return int((d.utc().Unix() - e.utc().Unix()) / (24 * 3600)) }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	if d.normal() && e.normal() { // field by field, without building times: queries compare every bucket's day
		return cmp.Or(cmp.Compare(d.Year, e.Year), cmp.Compare(d.Month, e.Month), cmp.Compare(d.Day, e.Day))
	}
	return d.utc().Compare(e.utc())
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// FirstOfMonth returns the first day of d's month.
func (d Date) FirstOfMonth() Date { return NewDate(d.Year, d.Month, 1) }

// MarshalText encodes d as "YYYY-MM-DD", or "" for the zero Date.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes "YYYY-MM-DD"; "" gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Period is an inclusive range of civil dates: both From and To belong to
// it. Use Bounds for the matching half-open range of instants.
type Period struct {
	From Date `json:"from"` // first day, included
	To   Date `json:"to"`   // last day, included
}

// NewPeriod returns the period from..to after checking that from <= to
// (ErrPeriodOrder) and that it covers at most MaxPeriodDays days
// (ErrPeriodTooLong).
func NewPeriod(from, to Date) (Period, error) {
	p := Period{From: from, To: to}
	if err := p.Validate(); err != nil {
		return Period{}, err
	}
	return p, nil
}

// ParsePeriod parses two YYYY-MM-DD dates and validates them as NewPeriod
// does.
func ParsePeriod(from, to string) (Period, error) {
	f, err := ParseDate(from)
	if err != nil {
		return Period{}, err
	}
	t, err := ParseDate(to)
	if err != nil {
		return Period{}, err
	}
	return NewPeriod(f, t)
}

// PeriodOf returns the calendar period of the given kind (one of the
// Period* kind constants) in year: month index 1..12, quarter 1..4, half
// 1..2; for nine-months (January–September) and year the index is ignored.
// Errors wrap ErrPeriodKind, ErrPeriodIndex or ErrPeriodYear.
func PeriodOf(kind string, year, index int) (Period, error) {
	if year < 1 || year > 9999 {
		return Period{}, fmt.Errorf("%w: %d", ErrPeriodYear, year)
	}
	var first, months, count int // first month, length in months, index range
	switch kind {
	case PeriodMonth:
		first, months, count = index, 1, 12
	case PeriodQuarter:
		first, months, count = 3*(index-1)+1, 3, 4
	case PeriodHalf:
		first, months, count = 6*(index-1)+1, 6, 2
	case PeriodNineMonths:
		first, months, count, index = 1, 9, 1, 1
	case PeriodYear:
		first, months, count, index = 1, 12, 1, 1
	default:
		return Period{}, fmt.Errorf("%w: %q", ErrPeriodKind, kind)
	}
	if index < 1 || index > count {
		return Period{}, fmt.Errorf("%w: %s %d (want 1..%d)", ErrPeriodIndex, kind, index, count)
	}
	from := NewDate(year, time.Month(first), 1)
	return Period{From: from, To: from.AddMonths(months).AddDays(-1)}, nil
}

// Validate reports whether p is usable: both dates valid, From <= To and at
// most MaxPeriodDays days long.
func (p Period) Validate() error {
	switch {
	case !p.From.Valid():
		return fmt.Errorf("%w: %v", ErrInvalidDate, p.From)
	case !p.To.Valid():
		return fmt.Errorf("%w: %v", ErrInvalidDate, p.To)
	case p.From.After(p.To):
		return fmt.Errorf("%w: %v > %v", ErrPeriodOrder, p.From, p.To)
	case p.Days() > MaxPeriodDays:
		return fmt.Errorf("%w: %d days (max %d)", ErrPeriodTooLong, p.Days(), MaxPeriodDays)
	}
	return nil
}

// Days returns the number of days in p, both ends included (0 if
// From > To).
func (p Period) Days() int { return max(0, p.To.Sub(p.From)+1) }

// Contains reports whether d is within p (ends included).
func (p Period) Contains(d Date) bool { return !d.Before(p.From) && !d.After(p.To) }

// Bounds returns the half-open instant range [start, end) of p in
// Asia/Ho_Chi_Minh: start is From at 00:00 and end is the day after To at
// 00:00. Query with t >= start && t < end.
func (p Period) Bounds() (start, end time.Time) {
	return p.From.Time(), p.To.AddDays(1).Time()
}

// String formats p as an ISO 8601 interval "2026-01-01/2026-03-31".
func (p Period) String() string { return p.From.String() + "/" + p.To.String() }
