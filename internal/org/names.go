package org

import (
	"context"
	"strings"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// Directory is what figures need to know of the organisation: its units and counters, its
// fields and its targets.
type Directory struct {
	Tree    *Tree
	Fields  *FieldCatalog
	Targets *Targets
	// Identity is the centre's official identity (names, signer, emblem); nil: none set.
	Identity *Identities
	// Procedures names procedure codes; nil: procedures are labelled by their code.
	Procedures *Procedures
}

// Meta is what stats aggregation needs besides the counts, with labels in lang.
func (d *Directory) Meta(ctx context.Context, lang string) stats.Meta {
	return stats.Meta{Targets: d.Targets.Table(ctx), Names: names{ctx: ctx, d: d, lang: lang}}
}

// names labels dimension values for people in one language.
type names struct {
	ctx  context.Context
	d    *Directory
	lang string
}

var notPlaced = survey.Msg("org.not_placed")

// FieldGroup is the target group of a field of the catalogue.
func (n names) FieldGroup(code string) string {
	f, _ := n.d.Fields.Get(n.ctx, code)
	return f.Group
}

// Label names a dimension value; units not yet placed in the hierarchy say so.
func (n names) Label(dim, key string) string {
	switch dim {
	case stats.ByField:
		if f, ok := n.d.Fields.Get(n.ctx, key); ok {
			return f.Name.In(n.lang)
		}
	case stats.ByAgency:
		if u, ok := n.d.Tree.Unit(key); ok {
			return u.Name
		}
		return key + " (" + notPlaced.In(n.lang) + ")"
	case stats.ByCounter:
		if name, ok := n.d.Tree.CounterName(key); ok {
			return name
		}
		// A counter not named in /admin yet: its unit's name and its code.
		if agency, counter, ok := strings.Cut(key, "/"); ok {
			if u, found := n.d.Tree.Unit(agency); found {
				return u.Name + " – " + counter
			}
		}
	case stats.ByChannel:
		return survey.ChannelLabel(survey.Channel(key)).In(n.lang)
	case stats.ByCriterion:
		return survey.CriterionLabel(key).In(n.lang)
	case stats.ByProcedure:
		if n.d.Procedures != nil {
			return n.d.Procedures.Name(n.ctx, key)
		}
	}
	return ""
}

// Label names the value key of dimension dim in lang; "" when it has no name but its key.
func (d *Directory) Label(ctx context.Context, lang, dim, key string) string {
	return names{ctx: ctx, d: d, lang: lang}.Label(dim, key)
}
