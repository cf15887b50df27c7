// Package org is the organisation a centre measures: the agency hierarchy (any depth of units,
// each with counters), the field catalogue, the satisfaction targets, and the names people see
// for each of them in figures.
package org

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Tree is an in-memory copy of the agency hierarchy and counters, reloaded periodically; it
// answers scope and label questions without reading the store.
type Tree struct {
	store    UnitStore
	mu       sync.RWMutex
	units    map[string]Unit
	children map[string][]string
	counters map[string]Counter
}

// NewTree loads the hierarchy from store.
func NewTree(ctx context.Context, store UnitStore) (*Tree, error) {
	o := &Tree{store: store}
	return o, o.Refresh(ctx)
}

// Refresh reloads the hierarchy.
func (o *Tree) Refresh(ctx context.Context) error {
	units, err := o.store.Units(ctx)
	if err != nil {
		return err
	}
	counters, err := o.store.Counters(ctx)
	if err != nil {
		return err
	}
	um := make(map[string]Unit, len(units))
	children := map[string][]string{}
	for _, u := range units {
		um[u.Code] = u
		children[u.Parent] = append(children[u.Parent], u.Code)
	}
	cm := make(map[string]Counter, len(counters))
	for _, c := range counters {
		cm[c.ID] = c
	}
	o.mu.Lock()
	o.units, o.children, o.counters = um, children, cm
	o.mu.Unlock()
	return nil
}

// RefreshEvery reloads the hierarchy every interval until ctx ends.
func (o *Tree) RefreshEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = o.Refresh(ctx)
		}
	}
}

// Subtree returns code and every unit under it. Units named by tickets but not yet placed in the
// hierarchy belong to no subtree but the whole organisation's.
func (o *Tree) Subtree(code string) map[string]bool {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := map[string]bool{code: true}
	stack := []string{code}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, child := range o.children[c] {
			if !out[child] {
				out[child] = true
				stack = append(stack, child)
			}
		}
	}
	return out
}

// Unit returns the unit with code.
func (o *Tree) Unit(code string) (Unit, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u, ok := o.units[code]
	return u, ok
}

// Units returns every unit ordered by code.
func (o *Tree) Units() []Unit {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]Unit, 0, len(o.units))
	for _, u := range o.units {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// CounterName returns the display name of counter id (agency/code).
func (o *Tree) CounterName(id string) (string, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	c, ok := o.counters[id]
	return c.Name, ok && c.Name != ""
}

// Counters returns every counter ordered by id.
func (o *Tree) Counters() []Counter {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]Counter, 0, len(o.counters))
	for _, c := range o.counters {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Unit is a node of the agency hierarchy: a province, a commune, a town's ward, a department…
// The hierarchy is data: any depth, each unit with counters.
type Unit struct {
	Code   string `bson:"_id" json:"code"`
	Name   string `bson:"name" json:"name"`
	Parent string `bson:"parent,omitempty" json:"parent,omitempty"`
}

// Counter is a one-stop counter of a unit.
type Counter struct {
	ID     string `bson:"_id" json:"id"` // agency + "/" + code
	Agency string `bson:"agency" json:"agency"`
	Code   string `bson:"code" json:"code"`
	Name   string `bson:"name" json:"name"`
}

// CounterID is the identity of counter code at agency.
func CounterID(agency, code string) string { return agency + "/" + code }

// UnitStore keeps the agency hierarchy and the counters.
type UnitStore interface {
	Units(ctx context.Context) ([]Unit, error)
	SaveUnit(ctx context.Context, u Unit) error
	DeleteUnit(ctx context.Context, code string) error
	Counters(ctx context.Context) ([]Counter, error)
	SaveCounter(ctx context.Context, c Counter) error
}

// Within is what a caller scoped to unit own ("" for the whole organisation) sees when asking
// for unit asked ("" for everything they may see): the units in scope, nil meaning all, and
// false when asked lies outside own's subtree.
func (o *Tree) Within(own, asked string) (map[string]bool, bool) {
	switch {
	case own == "" && asked == "":
		return nil, true
	case asked == "":
		return o.Subtree(own), true
	case own == "" || o.Subtree(own)[asked]:
		return o.Subtree(asked), true
	}
	return nil, false
}
