package dashboard

import (
	"fmt"
	"html/template"
	"math"
	"time"
)

// funcs are the helpers the templates format numbers with.
var funcs = template.FuncMap{
	"number": formatNumber,
	"bytes":  formatBytes,
	"count":  formatCount,
	"age":    formatAge,
	"clock":  clockTime,
	"chart":  shardChart,
}

// formatNumber shows a rate with about three significant digits.
func formatNumber(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a < 10:
		return fmt.Sprintf("%.2f", v)
	case a < 1000:
		return fmt.Sprintf("%.1f", v)
	case a < 1e6:
		return fmt.Sprintf("%.1fk", v/1e3)
	default:
		return fmt.Sprintf("%.1fM", v/1e6)
	}
}

// formatBytes shows a byte count in binary units.
func formatBytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB"}
	i := 0
	for ; math.Abs(v) >= 1024 && i < len(units)-1; i++ {
		v /= 1024
	}
	if i == 0 {
		return fmt.Sprintf("%.0f B", v)
	}
	return fmt.Sprintf("%.1f %s", v, units[i])
}

// formatCount shows a count over the window, which may be fractional
// (the previous minute's share of it), as a whole number.
func formatCount(v float64) string {
	return fmt.Sprintf("%.0f", math.Round(v))
}

// formatAge shows an iterator age in milliseconds, or a dash when there
// is none.
func formatAge(ms *float64) string {
	if ms == nil {
		return "–"
	}
	d := time.Duration(*ms * float64(time.Millisecond))
	switch {
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", *ms)
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	default:
		return d.Round(time.Second).String()
	}
}
