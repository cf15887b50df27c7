// Package public holds the static assets, page templates and translations, embedded in the binary
// so the pages load nothing from outside.
package public

import "embed"

// FS holds static/, templates/ and i18n/.
//
//go:embed static templates i18n
var FS embed.FS
