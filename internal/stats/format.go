package stats

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// NotANumber is what the decimal formatters return for NaN and ±Inf.
const NotANumber = "—"

// FormatDecimal formats v the Vietnamese way with the given number of
// decimals: comma as decimal separator and dot as thousands separator
// ("1.234,5"). It rounds half away from zero on the value's 15 significant
// decimal digits, as spreadsheets do, so float noise such as
// 57.49999999999999 for 0.575*100 does not change the result. Negative
// decimals count as 0; a result that rounds to zero has no minus sign.
func FormatDecimal(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NotANumber
	}
	decimals = max(0, decimals)
	neg := v < 0
	intPart, frac := roundDecimal(math.Abs(v), decimals)
	var b strings.Builder
	if neg && strings.Trim(intPart+frac, "0") != "" {
		b.WriteByte('-')
	}
	b.WriteString(groupThousands(intPart))
	if decimals > 0 {
		b.WriteByte(',')
		b.WriteString(frac)
	}
	return b.String()
}

// FormatPercent formats the fraction p (0.875) as a Vietnamese percentage
// with the given decimals ("87,5%"), rounding as FormatDecimal does.
func FormatPercent(p float64, decimals int) string {
	if math.IsNaN(p) || math.IsInf(p, 0) {
		return NotANumber
	}
	return FormatDecimal(p*100, decimals) + "%"
}

// Percent is FormatPercent with one decimal: 0.875 → "87,5%", 1 → "100,0%".
func Percent(p float64) string { return FormatPercent(p, 1) }

// FormatInt formats n with dots as thousands separators: 1234567 →
// "1.234.567", -1234 → "-1.234".
func FormatInt(n int64) string {
	if n < 0 {
		// Negating as uint64 is exact even for math.MinInt64.
		return "-" + groupThousands(strconv.FormatUint(-uint64(n), 10))
	}
	return groupThousands(strconv.FormatInt(n, 10))
}

// InEnglish turns number text formatted here ("1.234,5%") into the English way ("1,234.5%"):
// the thousands and decimal separators swap.
func InEnglish(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '.':
			return ','
		case ',':
			return '.'
		}
		return r
	}, s)
}

// FormatDate formats d as "31/03/2026" ("" for the zero Date).
func FormatDate(d Date) string {
	if d.IsZero() {
		return ""
	}
	return d.Time().Format("02/01/2006")
}

// FormatDateTime formats the instant t in Asia/Ho_Chi_Minh as
// "31/03/2026 14:05" ("" for the zero time).
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(TimeZone()).Format("02/01/2006 15:04")
}

// roundDecimal rounds the non-negative finite v half away from zero to
// decimals places and returns its integer digits and exactly decimals
// fraction digits.
func roundDecimal(v float64, decimals int) (intPart, frac string) {
	// Drop float noise: keep 15 significant digits, then the shortest
	// decimal representation of that value.
	if clean, err := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 14, 64), 64); err == nil {
		v = clean
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	intPart, frac, _ = strings.Cut(s, ".")
	if len(frac) <= decimals {
		return intPart, frac + strings.Repeat("0", decimals-len(frac))
	}
	roundUp := frac[decimals] >= '5'
	digits := []byte(intPart + frac[:decimals])
	if roundUp {
		i := len(digits) - 1
		for ; i >= 0 && digits[i] == '9'; i-- {
			digits[i] = '0'
		}
		if i >= 0 {
			digits[i]++
		} else {
			digits = append([]byte{'1'}, digits...)
		}
	}
	n := len(digits) - decimals
	return string(digits[:n]), string(digits[n:])
}

// groupThousands inserts a dot every three digits from the right of a
// string of decimal digits.
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head == 0 {
		head = 3
	}
	b.WriteString(digits[:head])
	for i := head; i < len(digits); i += 3 {
		b.WriteByte('.')
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}
