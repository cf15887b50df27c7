package dashboard

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/hailong/hailong/internal/stats"
)

// trendChart draws satisfaction by month as a server-side SVG line with the target as a dashed
// line, so it prints and needs no script. Months without enough responses show as hollow points.
func trendChart(groups []stats.Group, title string) template.HTML {
	const w, h, left, top, bottom = 640, 240, 44, 16, 36
	plotW, plotH := float64(w-left-16), float64(h-top-bottom)
	if len(groups) == 0 {
		return ""
	}
	step := plotW / float64(max(len(groups)-1, 1))
	y := func(p float64) float64 { return float64(top) + plotH*(1-p) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, w, h, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for _, p := range []float64{0, .5, .8, .9, 1} {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/><text class="axis" x="%d" y="%.1f">%s</text>`, left, w-16, y(p), y(p), 2, y(p)+4, stats.FormatPercent(p, 0))
	}
	var line, target []string
	for i, g := range groups {
		x := float64(left) + float64(i)*step
		fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, h-12, template.HTMLEscapeString(g.Label))
		if g.Target != nil {
			target = append(target, fmt.Sprintf("%.1f,%.1f", x, y(*g.Target)))
		}
		if g.Responses == 0 {
			continue
		}
		line = append(line, fmt.Sprintf("%.1f,%.1f", x, y(g.Satisfaction)))
		class := "pt"
		if g.Status == stats.StatusInsufficient {
			class = "pt hollow"
		}
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="4"><title>%s: %s (n=%d)</title></circle>`, class, x, y(g.Satisfaction), template.HTMLEscapeString(g.Label), stats.Percent(g.Satisfaction), g.Responses)
	}
	if len(target) == 1 && groups[0].Target != nil { // one month: draw the target across the chart
		target = []string{fmt.Sprintf("%d,%.1f", left, y(*groups[0].Target)), fmt.Sprintf("%d,%.1f", w-16, y(*groups[0].Target))}
	}
	if len(target) > 0 {
		fmt.Fprintf(&b, `<polyline class="target" points="%s"/>`, strings.Join(target, " "))
	}
	if len(line) > 1 {
		fmt.Fprintf(&b, `<polyline class="line" points="%s"/>`, strings.Join(line, " "))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built only from escaped text and numbers
}
