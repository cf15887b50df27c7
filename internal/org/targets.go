package org

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/stats"
)

// TargetStore keeps the editable satisfaction target table.
type TargetStore interface {
	Targets(ctx context.Context) (stats.TargetTable, error)
	SaveTargets(ctx context.Context, tt stats.TargetTable) error
}

// Targets answers which target table is in force: the stored one, or the plan's defaults when
// nothing is stored or the store does not answer. Every stats answer needs the table, so it is
// kept for targetsFor: a table saved through another instance is in force here at most that late,
// one saved through this instance at once.
type Targets struct {
	store    TargetStore
	fallback stats.TargetTable
	log      *slog.Logger

	mu     sync.Mutex
	cached *stats.TargetTable
	read   time.Time
}

// targetsFor is how long a table read from the store is used before it is read again.
const targetsFor = 5 * time.Second

// NewTargets returns the target look-up over store (nil: the defaults only).
func NewTargets(store TargetStore, fallback stats.TargetTable, log *slog.Logger) *Targets {
	return &Targets{store: store, fallback: fallback, log: log}
}

// Table returns the target table in force.
func (t *Targets) Table(ctx context.Context) stats.TargetTable {
	if t.store == nil {
		return t.fallback
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cached != nil && time.Since(t.read) < targetsFor {
		return t.cached.Clone()
	}
	tt, err := t.store.Targets(ctx)
	if err != nil {
		t.log.Warn("load targets", "err", err)
		return t.fallback
	}
	tt = withCaseTargets(tt, t.fallback)
	t.cached, t.read = &tt, time.Now()
	return tt.Clone()
}

// withCaseTargets adds the follow-up and channel targets of fallback to a table stored before
// they existed.
func withCaseTargets(tt, fallback stats.TargetTable) stats.TargetTable {
	for _, g := range stats.AddedGroups {
		if tt.HasGroup(g) {
			continue
		}
		for _, r := range fallback.Rules {
			if r.Group == g {
				tt.Rules = append(tt.Rules, r)
			}
		}
	}
	return tt
}

// Save stores a new target table; the caller has validated it.
func (t *Targets) Save(ctx context.Context, tt stats.TargetTable) error {
	err := t.store.SaveTargets(ctx, tt)
	t.mu.Lock()
	t.cached = nil
	t.mu.Unlock()
	return err
}
