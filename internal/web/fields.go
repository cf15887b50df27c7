package web

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/survey"
)

// FieldCatalog keeps the field catalogue in memory so issuing a ticket does not read the store;
// it reloads periodically and on an unknown code (at most every few seconds).
type FieldCatalog struct {
	store    survey.FieldStore
	mu       sync.RWMutex
	byCode   map[string]survey.Field
	loadedAt time.Time
}

// NewFieldCatalog loads the catalogue from store.
func NewFieldCatalog(ctx context.Context, store survey.FieldStore) (*FieldCatalog, error) {
	fc := &FieldCatalog{store: store}
	return fc, fc.reload(ctx)
}

func (fc *FieldCatalog) reload(ctx context.Context) error {
	fields, err := fc.store.Fields(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]survey.Field, len(fields))
	for _, f := range fields {
		m[f.Code] = f
	}
	fc.mu.Lock()
	fc.byCode, fc.loadedAt = m, time.Now()
	fc.mu.Unlock()
	return nil
}

// Get returns the field with code, reloading a stale catalogue first.
func (fc *FieldCatalog) Get(ctx context.Context, code string) (survey.Field, bool) {
	fc.mu.RLock()
	f, ok := fc.byCode[code]
	age := time.Since(fc.loadedAt)
	fc.mu.RUnlock()
	if (ok && age < time.Minute) || (!ok && age < 5*time.Second) {
		return f, ok
	}
	if err := fc.reload(ctx); err != nil {
		return f, ok
	}
	fc.mu.RLock()
	defer fc.mu.RUnlock()
	f, ok = fc.byCode[code]
	return f, ok
}

// Known reports whether code is an active field.
func (fc *FieldCatalog) Known(ctx context.Context, code string) bool {
	f, ok := fc.Get(ctx, code)
	return ok && f.Active
}

// All returns every field of the catalogue ordered by code.
func (fc *FieldCatalog) All(ctx context.Context) []survey.Field {
	fc.Get(ctx, "") // reloads a stale catalogue
	fc.mu.RLock()
	defer fc.mu.RUnlock()
	out := make([]survey.Field, 0, len(fc.byCode))
	for _, f := range fc.byCode {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}
