package stats

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"

	"github.com/hailong/hailong/internal/survey"
)

// Target group names used by DefaultTargets.
const (
	// GroupOverall is the catch-all group; unknown groups and fields fall
	// back to it.
	GroupOverall = "overall"
	// GroupLandConstructionInvestment groups the land, construction and
	// investment fields.
	GroupLandConstructionInvestment = "land-construction-investment"
	// GroupHealthEducation groups the education and health fields.
	GroupHealthEducation = "health-education"
	// GroupCasesSettled is the target share of follow-up cases settled for good.
	GroupCasesSettled = "cases-settled"
	// GroupCasesOnTime is the target share of follow-up cases handled within their deadline.
	GroupCasesOnTime = "cases-on-time"
)

// GroupChannelOnline is the target group of responses about dossiers handled online (the
// plan's 80% satisfaction with online public services).
var GroupChannelOnline = ChannelGroup(string(survey.ChannelOnline))

// CaseGroups are the target groups of follow-up cases rather than of satisfaction.
var CaseGroups = []string{GroupCasesSettled, GroupCasesOnTime}

// AddedGroups are the groups a target table stored before they existed takes from the defaults.
var AddedGroups = []string{GroupCasesSettled, GroupCasesOnTime, GroupChannelOnline}

// ErrInvalidTargets is wrapped by every error returned from
// TargetTable.Validate.
var ErrInvalidTargets = errors.New("invalid target table")

// TargetRule says that from FromYear on (until a rule of the same group with
// a later FromYear) the satisfaction target of Group is Target (0..1).
type TargetRule struct {
	// Group is the target group name, e.g. GroupOverall.
	Group string `json:"group"`
	// FromYear is the first calendar year the rule applies to.
	FromYear int `json:"from_year"`
	// Target is the required satisfaction as a fraction in 0..1.
	Target float64 `json:"target"`
}

// TargetTable is editable target data: a list of rules plus the mapping from
// service field to target group. The zero value has no targets.
type TargetTable struct {
	// Rules are the target rules, in any order.
	Rules []TargetRule `json:"rules"`
	// FieldGroups maps a service field (e.g. "land") to its group. Fields
	// not listed belong to GroupOverall.
	FieldGroups map[string]string `json:"field_groups"`
}

// Clone returns a copy of tt that shares nothing with it.
func (tt TargetTable) Clone() TargetTable {
	return TargetTable{Rules: slices.Clone(tt.Rules), FieldGroups: maps.Clone(tt.FieldGroups)}
}

// DefaultTargets returns a fresh copy of the targets of the plan:
// overall 90% (95% from 2030); land, construction and investment 85%;
// education and health 85% (90% from 2030); online services 80%; follow-up cases 95% settled and
// 100% handled on time. Base values start in 2021.
func DefaultTargets() TargetTable {
	return TargetTable{
		Rules: []TargetRule{
			{Group: GroupOverall, FromYear: 2021, Target: 0.90},
			{Group: GroupOverall, FromYear: 2030, Target: 0.95},
			{Group: GroupLandConstructionInvestment, FromYear: 2021, Target: 0.85},
			{Group: GroupHealthEducation, FromYear: 2021, Target: 0.85},
			{Group: GroupHealthEducation, FromYear: 2030, Target: 0.90},
			{Group: GroupChannelOnline, FromYear: 2021, Target: 0.80},
			{Group: GroupCasesSettled, FromYear: 2021, Target: 0.95},
			{Group: GroupCasesOnTime, FromYear: 2021, Target: 1.00},
		},
		FieldGroups: map[string]string{
			"land":         GroupLandConstructionInvestment,
			"construction": GroupLandConstructionInvestment,
			"investment":   GroupLandConstructionInvestment,
			"education":    GroupHealthEducation,
			"health":       GroupHealthEducation,
		},
	}
}

// Target returns the target of group in year: the rule of that group with
// the greatest FromYear <= year. A group with no rules at all (including
// "") falls back to GroupOverall. ok is false when no rule applies, e.g. a
// year before the group's first rule.
func (tt TargetTable) Target(group string, year int) (target float64, ok bool) {
	if !tt.HasGroup(group) {
		group = GroupOverall
	}
	best := 0
	for _, r := range tt.Rules {
		if r.Group == group && r.FromYear <= year && (!ok || r.FromYear > best) {
			target, best, ok = r.Target, r.FromYear, true
		}
	}
	return target, ok
}

// Lookup is Target returning a pointer, nil when no rule applies, ready to
// pass to NewFigure.
func (tt TargetTable) Lookup(group string, year int) *float64 {
	if t, ok := tt.Target(group, year); ok {
		return &t
	}
	return nil
}

// GroupOf returns the target group of a service field, GroupOverall for a
// field not in FieldGroups.
func (tt TargetTable) GroupOf(field string) string {
	if g, ok := tt.FieldGroups[field]; ok && g != "" {
		return g
	}
	return GroupOverall
}

// FieldTarget returns the target of a service field in year, i.e.
// Target(GroupOf(field), year).
func (tt TargetTable) FieldTarget(field string, year int) (float64, bool) {
	return tt.Target(tt.GroupOf(field), year)
}

// Validate checks edited target data: every rule has a non-empty group, a
// positive FromYear and a target in 0..1, no group has two rules with the
// same FromYear, and field groups are non-empty. Errors wrap
// ErrInvalidTargets.
func (tt TargetTable) Validate() error {
	type groupYear struct {
		group string
		year  int
	}
	seen := make(map[groupYear]bool, len(tt.Rules))
	for i, r := range tt.Rules {
		switch {
		case r.Group == "":
			return fmt.Errorf("%w: rule %d has an empty group", ErrInvalidTargets, i)
		case r.FromYear <= 0:
			return fmt.Errorf("%w: rule %d (%s) has from_year %d", ErrInvalidTargets, i, r.Group, r.FromYear)
		case math.IsNaN(r.Target) || r.Target < 0 || r.Target > 1:
			return fmt.Errorf("%w: rule %d (%s) has target %v outside 0..1", ErrInvalidTargets, i, r.Group, r.Target)
		}
		k := groupYear{r.Group, r.FromYear}
		if seen[k] {
			return fmt.Errorf("%w: group %s has two rules from %d", ErrInvalidTargets, r.Group, r.FromYear)
		}
		seen[k] = true
	}
	for field, g := range tt.FieldGroups {
		if g == "" {
			return fmt.Errorf("%w: field %q has an empty group", ErrInvalidTargets, field)
		}
	}
	return nil
}

// HasGroup reports whether some rule targets group.
func (tt TargetTable) HasGroup(group string) bool {
	for _, r := range tt.Rules {
		if r.Group == group {
			return true
		}
	}
	return false
}
