package mongodb_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/hailong/hailong/internal/mongodb"
	"github.com/hailong/hailong/internal/stats"
	"github.com/hailong/hailong/internal/testkit"
)

func TestTargetStoreDefaultsThenKeepsEdits(t *testing.T) {
	ctx := context.Background()
	store := mongodb.NewTargetStore(testkit.Store(t))
	got, err := store.Targets(ctx)
	if err != nil || !reflect.DeepEqual(got, stats.DefaultTargets()) {
		t.Fatalf("fresh store: %+v, %v; want the defaults", got, err)
	}
	tt := stats.DefaultTargets()
	tt.Rules = append(tt.Rules, stats.TargetRule{Group: stats.GroupLandConstructionInvestment, FromYear: 2026, Target: 0.875})
	if err := store.SaveTargets(ctx, tt); err != nil {
		t.Fatal(err)
	}
	got, err = store.Targets(ctx)
	if err != nil || !reflect.DeepEqual(got, tt) {
		t.Fatalf("after save: %+v, %v; want %+v", got, err, tt)
	}
	if v, _ := got.FieldTarget("land", 2026); v != 0.875 {
		t.Fatalf("land 2026 target %v, want 0.875", v)
	}
	bad := tt
	bad.Rules = append(bad.Rules, stats.TargetRule{Group: stats.GroupOverall, FromYear: 2027, Target: 1.5})
	if err := store.SaveTargets(ctx, bad); !errors.Is(err, stats.ErrInvalidTargets) {
		t.Fatalf("invalid table saved: %v", err)
	}
}
