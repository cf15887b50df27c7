package webkit

import (
	"fmt"
	"html/template"
)

// faceMouths and faceColours draw the five faces of the rating scale, 1 (very dissatisfied)
// to 5 (very satisfied), as the citizen survey and the kiosk show them.
var (
	faceMouths  = [...]string{"M13 30q7-9 14 0", "M14 29q6-4 12 0", "M14 27h12", "M14 25q6 5 12 0", "M12 24q8 10 16 0"}
	faceColours = [...]string{"#d64545", "#f08c3a", "#f2c23a", "#8cc152", "#3a9d4f"}
)

// Face is the drawing of rating level 1..5, decorative: its label names it.
func Face(level int) template.HTML {
	if level < 1 || level > len(faceMouths) {
		return ""
	}
	return template.HTML(fmt.Sprintf(`<svg viewBox="0 0 40 40" aria-hidden="true" focusable="false"><circle cx="20" cy="20" r="18" fill="%s" stroke="#1a1a1a" stroke-width="1.5"/><circle cx="14" cy="16" r="2.2" fill="#1a1a1a"/><circle cx="26" cy="16" r="2.2" fill="#1a1a1a"/><path d="%s" fill="none" stroke="#1a1a1a" stroke-width="2.4" stroke-linecap="round"/></svg>`,
		faceColours[level-1], faceMouths[level-1]))
}
