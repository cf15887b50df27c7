package survey

import "context"

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
