package survey

import (
	"maps"
	"slices"
)

// IDs lists the ids of the catalog's definitions, sorted, so tests can go through them all.
func (c *Catalog) IDs() []string { return slices.Sorted(maps.Keys(c.byID)) }
