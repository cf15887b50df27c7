package web

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

// Org is an in-memory copy of the agency hierarchy and counters, reloaded periodically; it
// answers scope and label questions without reading the store.
type Org struct {
	store    survey.UnitStore
	mu       sync.RWMutex
	units    map[string]survey.Unit
	children map[string][]string
	counters map[string]survey.Counter
}

// NewOrg loads the hierarchy from store.
func NewOrg(ctx context.Context, store survey.UnitStore) (*Org, error) {
	o := &Org{store: store}
	return o, o.Refresh(ctx)
}

// Refresh reloads the hierarchy.
func (o *Org) Refresh(ctx context.Context) error {
	units, err := o.store.Units(ctx)
	if err != nil {
		return err
	}
	counters, err := o.store.Counters(ctx)
	if err != nil {
		return err
	}
	um := make(map[string]survey.Unit, len(units))
	children := map[string][]string{}
	for _, u := range units {
		um[u.Code] = u
		children[u.Parent] = append(children[u.Parent], u.Code)
	}
	cm := make(map[string]survey.Counter, len(counters))
	for _, c := range counters {
		cm[c.ID] = c
	}
	o.mu.Lock()
	o.units, o.children, o.counters = um, children, cm
	o.mu.Unlock()
	return nil
}

// RefreshEvery reloads the hierarchy every interval until ctx ends.
func (o *Org) RefreshEvery(ctx context.Context, interval time.Duration) {
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
func (o *Org) Subtree(code string) map[string]bool {
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
func (o *Org) Unit(code string) (survey.Unit, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	u, ok := o.units[code]
	return u, ok
}

// Units returns every unit ordered by code.
func (o *Org) Units() []survey.Unit {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]survey.Unit, 0, len(o.units))
	for _, u := range o.units {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// CounterName returns the display name of counter id (agency/code).
func (o *Org) CounterName(id string) (string, bool) {
	o.mu.RLock()
	defer o.mu.RUnlock()
	c, ok := o.counters[id]
	return c.Name, ok && c.Name != ""
}

// Counters returns every counter ordered by id.
func (o *Org) Counters() []survey.Counter {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]survey.Counter, 0, len(o.counters))
	for _, c := range o.counters {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
