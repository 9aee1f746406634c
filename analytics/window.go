package analytics

import (
	"errors"
	"fmt"
	"time"
)

// Window is the event-time interval a result covers: records whose event
// time t satisfies Start <= t < End.
type Window struct {
	// Start is the first instant in the window.
	Start time.Time `json:"start"`
	// End is the first instant after it.
	End time.Time `json:"end"`
}

// String returns the window as [start, end) in RFC 3339.
func (w Window) String() string {
	return "[" + w.Start.UTC().Format(time.RFC3339Nano) + ", " + w.End.UTC().Format(time.RFC3339Nano) + ")"
}

// MaxWindowsPerRecord bounds Size/Slide of a sliding windowing: how many
// windows one record is added to.
const MaxWindowsPerRecord = 1000

// MaxDuration bounds every duration of a [Windowing] and of the options:
// window sizes, slides, gaps, the out-of-orderness bound, the allowed
// lateness and the idle timeout (one year).
const MaxDuration = 365 * 24 * time.Hour

// Event times are accepted within ±2^62 ns of the Unix epoch (about the
// years 1824 to 2116), so window arithmetic on nanoseconds cannot
// overflow.
const maxEventNanos = 1 << 62

type windowKind int

const (
	tumbling windowKind = iota + 1
	sliding
	session
)

// Windowing says which windows a record belongs to: [Tumbling], [Sliding]
// or [Session]. The zero value is invalid.
type Windowing struct {
	kind        windowKind
	size, slide time.Duration // tumbling and sliding; slide == size for tumbling
	gap         time.Duration // session
}

// Tumbling returns fixed, non-overlapping windows of the given size,
// aligned to the Unix epoch: a one-minute windowing has windows
// [12:00, 12:01), [12:01, 12:02), ... Each record belongs to exactly one.
func Tumbling(size time.Duration) Windowing {
	return Windowing{kind: tumbling, size: size, slide: size}
}

// Sliding returns hopping windows of the given size, one starting every
// slide, aligned to the Unix epoch: Sliding(time.Minute, 10*time.Second)
// has [12:00:00, 12:01:00), [12:00:10, 12:01:10), ... A record belongs to
// size/slide windows (when slide does not divide size, that rounded down
// or up, depending on the record's time). slide must not exceed size,
// and size/slide rounded up must not exceed [MaxWindowsPerRecord].
func Sliding(size, slide time.Duration) Windowing {
	return Windowing{kind: sliding, size: size, slide: slide}
}

// Session returns session windows: per key, records less than or equal
// to gap apart in event time share a window, which spans from its first
// record to its last record plus gap. A record that falls between two
// sessions and is within gap of both merges them into one.
func Session(gap time.Duration) Windowing {
	return Windowing{kind: session, gap: gap}
}

// String describes the windowing.
func (w Windowing) String() string {
	switch w.kind {
	case tumbling:
		return fmt.Sprintf("Tumbling(%v)", w.size)
	case sliding:
		return fmt.Sprintf("Sliding(%v, %v)", w.size, w.slide)
	case session:
		return fmt.Sprintf("Session(%v)", w.gap)
	}
	return "Windowing(invalid)"
}

// validate returns every reason w is invalid.
func (w Windowing) validate() error {
	positive := func(name string, d time.Duration) error {
		if d <= 0 || d > MaxDuration {
			return fmt.Errorf("analytics: %s %v: must be more than 0 and at most %v", name, d, MaxDuration)
		}
		return nil
	}
	switch w.kind {
	case tumbling:
		return positive("tumbling window size", w.size)
	case sliding:
		errs := []error{positive("sliding window size", w.size), positive("sliding window slide", w.slide)}
		if w.slide > 0 && w.size > 0 {
			if w.slide > w.size {
				errs = append(errs, fmt.Errorf("analytics: sliding window slide %v is larger than its size %v", w.slide, w.size))
			} else if n := (w.size + w.slide - 1) / w.slide; n > MaxWindowsPerRecord {
				errs = append(errs, fmt.Errorf("analytics: sliding window size %v / slide %v puts each record in %d windows, more than %d", w.size, w.slide, n, MaxWindowsPerRecord))
			}
		}
		return errors.Join(errs...)
	case session:
		return positive("session gap", w.gap)
	}
	return errors.New("analytics: no windowing: use Tumbling, Sliding or Session")
}

// assign returns the windows of the fixed windowings (tumbling and
// sliding) that hold event time t, earliest first. t is within the
// accepted event time range.
func (w Windowing) assign(t time.Time) []Window {
	ns := t.UnixNano()
	slide, size := int64(w.slide), int64(w.size)
	last := ns - floorMod(ns, slide) // latest start at or before t
	var out []Window
	first := last
	for first-slide > ns-size {
		first -= slide
	}
	for start := first; start <= last; start += slide {
		out = append(out, Window{Start: time.Unix(0, start), End: time.Unix(0, start+size)})
	}
	return out
}

// floorMod returns a mod m in [0, m) for m > 0, also for negative a.
func floorMod(a, m int64) int64 {
	r := a % m
	if r < 0 {
		r += m
	}
	return r
}

// intersects reports whether two windows overlap or touch, the test by
// which session windows merge.
func (w Window) intersects(o Window) bool {
	return !w.End.Before(o.Start) && !o.End.Before(w.Start)
}

// cover returns the smallest window holding both.
func (w Window) cover(o Window) Window {
	if o.Start.Before(w.Start) {
		w.Start = o.Start
	}
	if o.End.After(w.End) {
		w.End = o.End
	}
	return w
}
