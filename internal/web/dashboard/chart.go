package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"strings"

	"github.com/hailong/hailong/internal/stats"
)

// Chart geometry, in the SVG's own units: a narrow drawing keeps its text legible when a phone
// scales it down to 330 px.
const (
	chartW, chartH        = 480, 260
	chartLeft, chartRight = 52, 28 // room for "100%" on the left, half a month label on the right
	chartTop, chartBottom = 16, 44
	chartLabels           = 6    // at most this many month labels along the axis
	chartPad              = 0.05 // margin above and below the figures and the target
	chartFine, chartWide  = 0.05, 0.10
)

// yRange is the part of 0–100% the chart shows: around the months' figures and the target, with
// a margin, on round steps, so a change of a few points is visible.
func yRange(groups []stats.Group) (lo, hi, step float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	see := func(v float64) { lo, hi = math.Min(lo, v), math.Max(hi, v) }
	for _, g := range groups {
		if g.Responses > 0 {
			see(g.Satisfaction)
		}
		if g.Target != nil {
			see(*g.Target)
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 1, 0.25
	}
	step = chartFine
	if hi-lo > 0.3 {
		step = chartWide
	}
	lo = math.Max(0, math.Floor((lo-chartPad)/step+1e-9)*step)
	hi = math.Min(1, math.Ceil((hi+chartPad)/step-1e-9)*step)
	if hi-lo < 2*step { // a flat line still gets a scale around it
		lo, hi = math.Max(0, lo-step), math.Min(1, hi+step)
	}
	return lo, hi, step
}

// trendChart draws satisfaction by month as a server-side SVG line with the target as a dashed
// line, so it prints and needs no script. The y-axis spans only the figures and the target;
// months without enough responses show as hollow points. Numbers follow lang.
func trendChart(groups []stats.Group, title, lang string) template.HTML {
	if len(groups) == 0 {
		return ""
	}
	plotW, plotH := float64(chartW-chartLeft-chartRight), float64(chartH-chartTop-chartBottom)
	step := plotW / float64(max(len(groups)-1, 1))
	lo, hi, tick := yRange(groups)
	y := func(p float64) float64 { return float64(chartTop) + plotH*(hi-p)/(hi-lo) }
	pct := func(p float64, decimals int) string { return localPercent(p, decimals, lang) }
	var b strings.Builder
	esc := template.HTMLEscapeString(title)
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`, chartW, chartH, esc, esc)
	for p := lo; p <= hi+1e-9; p += tick {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/><text class="axis" x="%d" y="%.1f" text-anchor="end">%s</text>`,
			chartLeft, chartW-chartRight, y(p), y(p), chartLeft-6, y(p)+5, pct(p, 0))
	}
	every := (len(groups) + chartLabels - 1) / chartLabels
	var line, target []string
	for i, g := range groups {
		x := float64(chartLeft) + float64(i)*step
		if len(groups) == 1 {
			x = float64(chartLeft) + plotW/2
		}
		if i%every == 0 || i == len(groups)-1 && every == 1 {
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="middle">%s</text>`, x, chartH-chartBottom+24, template.HTMLEscapeString(g.Label))
		}
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
		fmt.Fprintf(&b, `<circle class="%s" cx="%.1f" cy="%.1f" r="5"><title>%s: %s (n=%d)</title></circle>`, class, x, y(g.Satisfaction), template.HTMLEscapeString(g.Label), pct(g.Satisfaction, 1), g.Responses)
	}
	if len(target) == 1 && groups[0].Target != nil { // one month: draw the target across the chart
		target = []string{fmt.Sprintf("%d,%.1f", chartLeft, y(*groups[0].Target)), fmt.Sprintf("%d,%.1f", chartW-chartRight, y(*groups[0].Target))}
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

// localPercent is stats.FormatPercent written the way lang reads numbers.
func localPercent(p float64, decimals int, lang string) string {
	s := stats.FormatPercent(p, decimals)
	if lang == "en" {
		return stats.InEnglish(s)
	}
	return s
}
