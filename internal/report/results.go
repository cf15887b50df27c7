package report

import (
	"slices"

	"github.com/hailong/hailong/internal/stats"
)

// results writes section I: the headline against its target and the earlier periods, then the
// tables by field, unit and SIPAS criterion, the follow-up cases and what falls short.
//
// New figures (a SIPAS index, the unit ranking, the plain-rate verdict, channel targets, return
// trips) go in here as further sub-sections, each a paragraph and a table built from Report.
func (d *Document) results() []Part {
	r := d.Report
	parts := []Part{{Heading: d.msg("doc.h.overview"), Level: 2}}
	overview := d.overviewTable()
	overview.Caption = d.msg("doc.h.overview")
	parts = append(parts, Part{Text: d.headline()}, Part{Table: overview})
	for _, s := range []struct {
		key string
		res func(*Report) stats.Result
	}{
		{"doc.h.field", func(r *Report) stats.Result { return r.Overall }},
		{"doc.h.agency", func(r *Report) stats.Result { return r.ByAgency }},
		{"doc.h.criterion", func(r *Report) stats.Result { return r.ByCriterion }},
	} {
		t := d.compareTable(s.res)
		t.Caption = d.msg(s.key)
		parts = append(parts, Part{Heading: d.msg(s.key), Level: 2}, Part{Table: t})
		if s.key == "doc.h.agency" {
			rank := d.rankingTable()
			rank.Caption = d.msg("doc.h.ranking")
			parts = append(parts, Part{Heading: d.msg("doc.h.ranking"), Level: 2}, Part{Text: d.msg("doc.ranking_note")}, Part{Table: rank})
		}
	}
	parts = append(parts, Part{Heading: d.msg("doc.h.followup"), Level: 2}, Part{Text: d.followUpText()})
	parts = append(parts, Part{Heading: d.msg("doc.h.below"), Level: 2})
	below := append(fieldsBelow(r.Overall.Groups), fieldsBelow(r.ByAgency.Groups)...)
	if len(below) == 0 {
		return append(parts, Part{Text: d.msg("doc.none_below")})
	}
	for _, g := range below {
		item := "- " + d.msg("doc.below_item", "name", groupLabel(g),
			"sat", percentText(g.Satisfaction, d.Lang), "target", optPercentText(g.Target, d.Lang),
			"n", countText(g.Responses, d.Lang))
		if g.Responses < stats.MinResponses {
			item += " " + d.msg("doc.below_small", "min", countText(stats.MinResponses, d.Lang))
		}
		parts = append(parts, Part{Text: item})
	}
	return parts
}

// rankingTable places the units by satisfaction and by the SIPAS-style index, for emulation
// (thi đua); a unit under 30 ratings is ranked too, with its sample beside it.
func (d *Document) rankingTable() *Table {
	t := &Table{Header: []string{d.msg("report.group"), d.msg("report.responses"), d.msg("report.satisfaction"),
		d.msg("dash.rank"), d.msg("report.sipas_index"), d.msg("dash.sipas_rank")}}
	place := func(r *int) string {
		if r == nil {
			return dash
		}
		return countText(int64(*r), d.Lang)
	}
	groups := slices.Clone(d.Report.ByAgency.Groups)
	slices.SortStableFunc(groups, func(a, b stats.Group) int {
		switch {
		case a.Rank == nil && b.Rank == nil:
			return 0
		case a.Rank == nil:
			return 1
		case b.Rank == nil:
			return -1
		}
		return *a.Rank - *b.Rank
	})
	for _, g := range groups {
		if g.Hidden || g.Responses == 0 {
			continue
		}
		t.Rows = append(t.Rows, []string{groupLabel(g), countText(g.Responses, d.Lang), percentText(g.Satisfaction, d.Lang),
			place(g.Rank), optPercentText(g.SIPASIndex, d.Lang), place(g.SIPASRank)})
		t.Status = append(t.Status, g.RateStatus)
	}
	if len(t.Rows) == 0 {
		t.Rows = append(t.Rows, []string{d.msg("doc.no_rows"), "", "", "", "", ""})
		t.Status = append(t.Status, "")
	}
	return t
}

// headline is the paragraph that opens section I.
func (d *Document) headline() string {
	o := d.Report.Overall.Overall
	if o.Responses == 0 {
		return d.msg("doc.headline_none")
	}
	issued := dash
	if o.Issued != nil {
		issued = countText(*o.Issued, d.Lang)
	}
	text := d.msg("doc.headline", "responses", countText(o.Responses, d.Lang), "issued", issued,
		"sat", percentText(o.Satisfaction, d.Lang), "low", percentText(o.CILow, d.Lang), "high", percentText(o.CIHigh, d.Lang),
		"target", optPercentText(o.Target, d.Lang), "status", StatusWord(o.Status, d.Lang))
	return text + " " + d.msg("doc.headline_compare", "previous", d.earlierShare(d.Previous, nil), "last_year", d.earlierShare(d.LastYear, nil))
}

// earlierShare is an earlier report's satisfaction, overall (g nil) or of the group with g's key.
func (d *Document) earlierShare(r *Report, pick func(*Report) stats.Result, key ...string) string {
	if r == nil {
		return dash
	}
	g := r.Overall.Overall
	if pick != nil {
		found := false
		for _, x := range pick(r).Groups {
			if x.Key == key[0] {
				g, found = x, true
				break
			}
		}
		if !found {
			return dash
		}
	}
	if g.Responses == 0 || g.Hidden {
		return dash
	}
	return percentText(g.Satisfaction, d.Lang)
}

// overviewTable compares the headline figures over the three periods.
func (d *Document) overviewTable() *Table {
	t := &Table{Header: []string{d.msg("doc.col.indicator"), d.msg("doc.col.current"), d.msg("doc.col.previous"), d.msg("doc.col.last_year")}}
	rows := []struct {
		key string
		val func(g stats.Group) string
	}{
		{"report.rated", func(g stats.Group) string { return countText(g.Responses, d.Lang) }},
		{"report.satisfaction", func(g stats.Group) string {
			if g.Responses == 0 {
				return dash
			}
			return percentText(g.Satisfaction, d.Lang)
		}},
		{"report.issued", func(g stats.Group) string {
			if g.Issued == nil {
				return dash
			}
			return countText(*g.Issued, d.Lang)
		}},
		{"report.sipas_index", func(g stats.Group) string { return optPercentText(g.SIPASIndex, d.Lang) }},
		{"report.response_rate", func(g stats.Group) string { return optPercentText(g.ResponseRate, d.Lang) }},
		{"report.dossier_ratio", func(g stats.Group) string { return optPercentText(g.DossierRatio, d.Lang) }},
		{"report.misuse", func(g stats.Group) string { return countText(g.Misuse, d.Lang) }},
	}
	for _, row := range rows {
		cells := []string{d.msg(row.key)}
		for _, r := range []*Report{d.Report, d.Previous, d.LastYear} {
			if r == nil {
				cells = append(cells, dash)
				continue
			}
			cells = append(cells, row.val(r.Overall.Overall))
		}
		t.Rows = append(t.Rows, cells)
		t.Status = append(t.Status, "")
	}
	return t
}

// compareTable lists the groups of one breakdown with their earlier satisfaction beside them.
func (d *Document) compareTable(pick func(*Report) stats.Result) *Table {
	t := &Table{Header: []string{d.msg("report.group"), d.msg("report.responses"), d.msg("report.satisfaction"),
		d.msg("doc.col.previous"), d.msg("doc.col.last_year"), d.msg("report.target"), d.msg("report.status")}}
	for _, g := range pick(d.Report).Groups {
		if g.Hidden {
			t.Rows = append(t.Rows, []string{groupLabel(g), hiddenNote.In(d.Lang), dash, dash, dash, dash, dash})
			t.Status = append(t.Status, "")
			continue
		}
		sat := dash
		if g.Responses > 0 {
			sat = percentText(g.Satisfaction, d.Lang)
		}
		t.Rows = append(t.Rows, []string{groupLabel(g), countText(g.Responses, d.Lang), sat,
			d.earlierShare(d.Previous, pick, g.Key), d.earlierShare(d.LastYear, pick, g.Key),
			optPercentText(g.Target, d.Lang), StatusWord(g.Status, d.Lang)})
		t.Status = append(t.Status, g.Status)
	}
	if len(t.Rows) == 0 {
		t.Rows = append(t.Rows, []string{d.msg("doc.no_rows"), "", "", "", "", "", ""})
		t.Status = append(t.Status, "")
	}
	return t
}

// followUpText sums up the follow-up cases opened in the period.
func (d *Document) followUpText() string {
	o := d.Report.FollowUp.Overall
	if o.Opened == 0 {
		return d.msg("doc.followup_none")
	}
	return d.msg("doc.followup", "opened", countText(o.Opened, d.Lang), "settled", countText(o.Settled, d.Lang),
		"settled_rate", percentText(o.SettledRate, d.Lang), "on_time_rate", percentText(o.OnTimeRate, d.Lang),
		"overdue", countText(o.Overdue, d.Lang))
}
