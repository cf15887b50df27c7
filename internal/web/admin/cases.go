package admin

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// The "Follow-up cases" section of /admin: working days allowed per kind, the centre's
// working week and holidays, and how long contact details are kept.

var (
	errCaseDays    = survey.Errorf(survey.CodeInvalid, "error.case_days")
	errHoliday     = survey.Errorf(survey.CodeInvalid, "error.case_holiday")
	errContactDays = survey.Errorf(survey.CodeInvalid, "error.case_contact_days")
)

// caseRules is what the section shows.
type caseRules struct {
	Days        map[cases.Kind]int
	Kinds       []cases.Kind
	Saturday    bool
	Holidays    string // one date a line, dd/mm/yyyy
	ContactDays int
}

func caseRulesOf(s cases.Settings) caseRules {
	r := caseRules{Days: map[cases.Kind]int{}, Kinds: cases.Kinds, Saturday: slices.Contains(s.Calendar.Weekdays, time.Saturday), ContactDays: s.ContactDays}
	for _, k := range cases.Kinds {
		r.Days[k] = s.DaysFor(k)
	}
	days := make([]string, len(s.Calendar.Holidays))
	for i, d := range s.Calendar.Holidays {
		days[i] = stats.FormatDate(d)
	}
	r.Holidays = strings.Join(days, "\n")
	return r
}

// SaveCaseRules handles POST /admin/cases: the follow-up rules. Cases already open keep the
// deadline they were given.
func (h *Handler) SaveCaseRules(c *fiber.Ctx) error {
	get, _, err := adminForm(c)
	if err != nil {
		return err
	}
	set := cases.DefaultSettings()
	for _, k := range cases.Kinds {
		n, err := strconv.Atoi(get("days_" + string(k)))
		if err != nil || n < 1 || n > 60 {
			return h.adminFail(c, errCaseDays)
		}
		set.Days[k] = n
	}
	if get("saturday") != "" {
		set.Calendar.Weekdays = append(set.Calendar.Weekdays, time.Saturday)
	}
	if set.Calendar.Holidays, err = parseHolidays(get("holidays")); err != nil {
		return h.adminFail(c, err)
	}
	if set.ContactDays, err = strconv.Atoi(get("contact_days")); err != nil || set.ContactDays < 1 || set.ContactDays > 3650 {
		return h.adminFail(c, errContactDays)
	}
	if err := h.Cases.Store.SaveSettings(c.UserContext(), set); err != nil {
		return err
	}
	return h.adminDone(c, "cases.rules", strconv.Itoa(len(set.Calendar.Holidays))+" holidays", strconv.Itoa(len(set.Calendar.Holidays)))
}

// parseHolidays reads one date a line, as dd/mm/yyyy or yyyy-mm-dd, sorted and without repeats.
func parseHolidays(text string) ([]stats.Date, error) {
	var out []stats.Date
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		d, err := stats.ParseDate(line)
		if err != nil {
			t, terr := time.Parse("02/01/2006", line)
			if terr != nil {
				return nil, errHoliday
			}
			d = stats.NewDate(t.Year(), t.Month(), t.Day())
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b stats.Date) int { return a.Compare(b) })
	if len(out) > 400 {
		return nil, errHoliday
	}
	return out, nil
}
