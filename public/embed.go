// Package public holds the static assets, page templates and translations, embedded in the binary
// so the pages load nothing from outside.
package public

import "embed"

// FS holds static/, templates/, i18n/ and openapi.yaml (the API's description).
//
//go:embed static templates i18n openapi.yaml
var FS embed.FS
