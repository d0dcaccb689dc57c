package web

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// Charts drawn on the server as inline SVG: no script, no chart library, nothing fetched from
// elsewhere, and the page's Content-Security-Policy (no inline styles) holds because the
// drawing uses presentation attributes only and the colours come from sertika.css classes.
// Every function here is pure: the same input gives byte-for-byte the same output (fixed
// number formatting, no maps iterated), and every label passes through HTML escaping.
//
// Colour never carries meaning alone: each bar is labelled in words and with its number,
// and the trend chart has a <title>, a <desc> and a data table next to it on the page.

// barItem is one bar of a horizontal bar chart.
type barItem struct {
	// Key becomes a class (bar-KEY) so that the stylesheet can colour categories.
	Key   string
	Label string
	// Note follows the label in smaller type ("> 90").
	Note string
	// Value is drawn against Max (the full width of the bar).
	Value, Max float64
	// Text is the value as shown next to the bar ("12,13 dari 25").
	Text string
	// Marker, when set, draws a reference line (a target) at that value.
	Marker *float64
	// ValueID and DataValue give the shown number an id and a machine-readable
	// data-value, for tests and for anyone scraping the page.
	ValueID, DataValue string
}

// hBars draws horizontal bars: an HTML list whose rows are the label, a small SVG bar and the
// value in words, so that the text reflows on a phone while the bars stretch. caption, when
// not empty, titles the list for screen readers and sighted readers alike.
func hBars(id, caption string, items []barItem) template.HTML {
	var b strings.Builder
	b.WriteString(`<figure class="hbars"`)
	if id != "" {
		fmt.Fprintf(&b, ` id="%s"`, esc(id))
	}
	b.WriteString(`>`)
	if caption != "" {
		fmt.Fprintf(&b, `<figcaption>%s</figcaption>`, esc(caption))
	}
	b.WriteString(`<ul>`)
	for _, it := range items {
		fmt.Fprintf(&b, `<li class="hbar bar-%s"><span class="hbar-label">%s`, esc(classSafe(it.Key)), esc(it.Label))
		if it.Note != "" {
			fmt.Fprintf(&b, ` <span class="hbar-note">%s</span>`, esc(it.Note))
		}
		b.WriteString(`</span>`)
		b.WriteString(barSVG("hbar-track", it.Value, it.Max, it.Marker))
		b.WriteString(`<span class="hbar-value"`)
		if it.ValueID != "" {
			fmt.Fprintf(&b, ` id="%s"`, esc(it.ValueID))
		}
		if it.DataValue != "" {
			fmt.Fprintf(&b, ` data-value="%s"`, esc(it.DataValue))
		}
		fmt.Fprintf(&b, `>%s</span></li>`, esc(it.Text))
	}
	b.WriteString(`</ul></figure>`)
	return template.HTML(b.String())
}

// miniBar is a small bar for a table cell: value against full, decorative (the cell next to
// it holds the number).
func miniBar(value, full float64) template.HTML {
	return template.HTML(barSVG("minibar", value, full, nil))
}

// barSVG is one bar in a 100 × 10 box stretched to the width the stylesheet gives it
// (preserveAspectRatio="none": it holds no text to distort). It is hidden from assistive
// technology: the number is always written next to it.
func barSVG(class string, value, full float64, marker *float64) string {
	w := share(value, full)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="%s" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">`, class)
	b.WriteString(`<rect class="track" x="0" y="0" width="100" height="10"/>`)
	if w > 0 {
		fmt.Fprintf(&b, `<rect class="fill" x="0" y="0" width="%s" height="10"/>`, svgNum(w))
	}
	if marker != nil {
		x := share(*marker, full)
		fmt.Fprintf(&b, `<line class="marker" x1="%s" y1="0" x2="%s" y2="10" vector-effect="non-scaling-stroke"/>`, svgNum(x), svgNum(x))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// share is value as a percentage of full, clamped to 0…100 (0 when full is not positive).
func share(value, full float64) float64 {
	if !(full > 0) || math.IsNaN(value) {
		return 0
	}
	return math.Min(100, math.Max(0, value/full*100))
}

// trendItem is one year of the trend chart.
type trendItem struct {
	Year int
	// Value is the IP of the year; Has is false when nothing was measured that year (no
	// column is drawn).
	Value float64
	Has   bool
	// Category is the category code of the value, for the column's colour.
	Category string
	// Target is the year's target, if one is set.
	Target *float64
}

// Geometry of the trend chart, in SVG user units (pixels at natural size).
const (
	trendLeft   = 40  // room for the axis labels
	trendRight  = 12  // margin
	trendTop    = 22  // room for the value above a full column
	trendBottom = 28  // room for the years
	trendPlot   = 180 // height of the plotting area (0…100)
	trendSlot   = 64  // width per year
	trendColumn = 34  // width of a column
)

// trendChart draws the IP across years as columns on a fixed 0–100 scale, with the targets
// as a dashed line (a short dash per year, joined across consecutive years). The chart is an
// image with a title and a description; the page puts the same figures in a table.
// The natural width grows with the years; the stylesheet lets it shrink to the container.
func trendChart(id, title, desc string, items []trendItem) template.HTML {
	n := len(items)
	width := trendLeft + trendRight + max(n, 1)*trendSlot
	height := trendTop + trendPlot + trendBottom
	y := func(v float64) float64 { return trendTop + trendPlot - share(v, 100)/100*trendPlot }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="trend-chart" id="%s" role="img" aria-labelledby="%s-judul %s-ket" width="%d" height="%d" viewBox="0 0 %d %d">`,
		esc(id), esc(id), esc(id), width, height, width, height)
	fmt.Fprintf(&b, `<title id="%s-judul">%s</title><desc id="%s-ket">%s</desc>`, esc(id), esc(title), esc(id), esc(desc))
	// Grid and axis labels every 20 points.
	b.WriteString(`<g class="grid">`)
	for v := 0; v <= 100; v += 20 {
		yy := svgNum(y(float64(v)))
		fmt.Fprintf(&b, `<line x1="%d" y1="%s" x2="%d" y2="%s"/>`, trendLeft, yy, width-trendRight, yy)
		fmt.Fprintf(&b, `<text x="%d" y="%s" text-anchor="end" dominant-baseline="middle">%d</text>`, trendLeft-6, yy, v)
	}
	b.WriteString(`</g>`)
	// Columns, values and years.
	for i, it := range items {
		x0 := trendLeft + i*trendSlot
		cx := x0 + trendSlot/2
		if it.Has {
			top := y(it.Value)
			fmt.Fprintf(&b, `<rect class="col bar-%s" x="%d" y="%s" width="%d" height="%s"/>`,
				esc(classSafe(it.Category)), cx-trendColumn/2, svgNum(top), trendColumn, svgNum(trendTop+trendPlot-top))
			fmt.Fprintf(&b, `<text class="val" x="%d" y="%s" text-anchor="middle">%s</text>`, cx, svgNum(top-6), idDec(it.Value, 2))
		} else {
			fmt.Fprintf(&b, `<text class="val none" x="%d" y="%s" text-anchor="middle">–</text>`, cx, svgNum(y(0)-6))
		}
		fmt.Fprintf(&b, `<text class="year" x="%d" y="%d" text-anchor="middle">%d</text>`, cx, trendTop+trendPlot+18, it.Year)
	}
	// Targets: a dash over each year's slot, joined into one path across consecutive years.
	var path strings.Builder
	prev := false
	for i, it := range items {
		if it.Target == nil {
			prev = false
			continue
		}
		x0 := trendLeft + i*trendSlot + (trendSlot-trendColumn)/2 - 6
		x1 := x0 + trendColumn + 12
		yy := svgNum(y(*it.Target))
		if prev {
			fmt.Fprintf(&path, ` L%d %s L%d %s`, x0, yy, x1, yy)
		} else {
			if path.Len() > 0 {
				path.WriteByte(' ')
			}
			fmt.Fprintf(&path, `M%d %s L%d %s`, x0, yy, x1, yy)
		}
		prev = true
	}
	if path.Len() > 0 {
		fmt.Fprintf(&b, `<path class="target" d="%s"/>`, path.String())
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="%s" x2="%d" y2="%s"/>`, trendLeft, svgNum(y(0)), width-trendRight, svgNum(y(0)))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// svgNum writes a coordinate with at most 2 decimals and no trailing zeros: deterministic
// and short.
func svgNum(v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// idDec writes a number the Indonesian way with the given decimals: a comma before the
// decimals and dots between thousands (71.58 → "71,58"; 1234.5 → "1.234,50").
func idDec(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	out := thousands(whole)
	if frac != "" {
		out += "," + frac
	}
	if neg && strings.Trim(out, "0.,") != "" {
		out = "-" + out
	}
	return out
}

// classSafe keeps only letters, digits, '-' and '_' of a class name fragment.
func classSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
}

func esc(s string) string { return template.HTMLEscapeString(s) }
