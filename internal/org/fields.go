package org

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/survey"
)

// FieldCatalog keeps the field catalogue in memory so issuing a ticket does not read the store;
// it reloads periodically and on an unknown code (at most every few seconds).
type FieldCatalog struct {
	store    FieldStore
	mu       sync.RWMutex
	byCode   map[string]Field
	loadedAt time.Time
}

// NewFieldCatalog loads the catalogue from store.
func NewFieldCatalog(ctx context.Context, store FieldStore) (*FieldCatalog, error) {
	fc := &FieldCatalog{store: store}
	return fc, fc.Reload(ctx)
}

func (fc *FieldCatalog) Reload(ctx context.Context) error {
	fields, err := fc.store.Fields(ctx)
	if err != nil {
		return err
	}
	m := make(map[string]Field, len(fields))
	for _, f := range fields {
		m[f.Code] = f
	}
	fc.mu.Lock()
	fc.byCode, fc.loadedAt = m, time.Now()
	fc.mu.Unlock()
	return nil
}

// Get returns the field with code, reloading a stale catalogue first.
func (fc *FieldCatalog) Get(ctx context.Context, code string) (Field, bool) {
	fc.mu.RLock()
	f, ok := fc.byCode[code]
	age := time.Since(fc.loadedAt)
	fc.mu.RUnlock()
	if (ok && age < time.Minute) || (!ok && age < 5*time.Second) {
		return f, ok
	}
	if err := fc.Reload(ctx); err != nil {
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
func (fc *FieldCatalog) All(ctx context.Context) []Field {
	fc.Get(ctx, "") // reloads a stale catalogue
	fc.mu.RLock()
	defer fc.mu.RUnlock()
	out := make([]Field, 0, len(fc.byCode))
	for _, f := range fc.byCode {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

// Field is a field (lĩnh vực) of administrative procedures; its code never changes.
type Field struct {
	Code   string      `bson:"_id" json:"code"`
	Name   survey.Text `bson:"name" json:"name"`
	Group  string      `bson:"group" json:"group"`
	Active bool        `bson:"active" json:"active"`
}

// FieldStore keeps the editable field catalogue.
type FieldStore interface {
	Fields(ctx context.Context) ([]Field, error)
	SaveField(ctx context.Context, f Field) error
}

// DefaultFields is the field catalogue shipped with the product: the twelve fields of a
// one-stop centre, with the codes responses keep for good.
func DefaultFields() []Field {
	f := func(code, vi, en, group string) Field {
		return Field{Code: code, Name: survey.Text{VI: vi, EN: en}, Group: group, Active: true}
	}
	const lci, he, all = stats.GroupLandConstructionInvestment, stats.GroupHealthEducation, stats.GroupOverall
	return []Field{
		f("land", "Đất đai", "Land", lci),
		f("construction", "Hoạt động xây dựng", "Construction", lci),
		f("investment", "Đầu tư", "Investment", lci),
		f("civil-status", "Hộ tịch", "Civil status", all),
		f("certification", "Chứng thực", "Certification", all),
		f("household-business", "Thành lập và hoạt động hộ kinh doanh", "Household business", all),
		f("social-protection", "Bảo trợ xã hội", "Social protection", all),
		f("justice", "Tư pháp", "Justice", all),
		f("education", "Giáo dục", "Education", he),
		f("health", "Y tế", "Health", he),
		f("environment", "Tài nguyên và môi trường", "Natural resources & environment", all),
		f("planning", "Quy hoạch xây dựng, kiến trúc", "Planning & architecture", all),
	}
}
