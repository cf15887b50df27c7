package followup

import (
	"context"
	"strings"

	"github.com/hailong/hailong/internal/cases"
	"github.com/hailong/hailong/internal/i18n"
	"github.com/hailong/hailong/internal/org"
)

// Label names a value of a follow-up grouping in lang: a unit or field by its name, a kind in
// words, a month as MM/YYYY.
func Label(ctx context.Context, d *org.Directory, lang, dim, key string) string {
	switch dim {
	case cases.ByAgency, cases.ByField:
		if name := d.Label(ctx, lang, dim, key); name != "" {
			return name
		}
	case cases.ByKind:
		return i18n.T(lang, "case.kind."+key)
	case cases.ByMonth:
		if y, m, ok := strings.Cut(key, "-"); ok {
			return m + "/" + y
		}
	}
	return key
}
