// Package surveys holds the survey definitions (YAML) that ship inside the binary.
package surveys

import "embed"

// FS holds every *.yaml survey definition of this directory; survey.LoadCatalog reads it.
//
//go:embed *.yaml
var FS embed.FS
