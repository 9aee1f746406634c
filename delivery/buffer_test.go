package delivery

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestIntervalTriggersDelivery: a buffer below the size is delivered when
// IntervalInSeconds have passed since its first record was buffered, and
// not a moment before.
func TestIntervalTriggersDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 2, nil) // 1 MiB, 60 s
		h.start()
		for _, r := range numbered("r", 5) {
			h.put(r, r)
		}
		h.read() // buffered at epoch+1s
		h.advance(59 * time.Second)
		if got := h.dest.data(); len(got) != 0 {
			t.Fatalf("delivered %v after 59 s of a 60 s interval", got)
		}
		h.advance(time.Second)
		got := h.dest.data()
		if len(got) != 1 {
			t.Fatalf("after 60 s: %d batches, want 1: %v", len(got), got)
		}
		all := flat(got)
		slices.Sort(all)
		if want := numbered("r", 5); !slices.Equal(all, want) {
			t.Errorf("delivered %v, want %v", all, want)
		}
		if s := h.ds.Stats(); s.DeliveredBatches != 1 || s.DeliveredRecords != 5 || s.IncomingRecords != 5 {
			t.Errorf("Stats = %+v", s)
		}
	})
}

// TestIntervalCountsFromFirstRecord: records added later to an open
// buffer do not move its deadline, and a record arriving after a delivery
// opens a new buffer with a deadline of its own.
func TestIntervalCountsFromFirstRecord(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, nil)
		h.start()
		h.put("k", "a")
		h.read() // buffered at +1s: due at +61s
		h.advance(30 * time.Second)
		h.put("k", "b")
		h.read() // +32s, same buffer
		h.advance(28 * time.Second)
		if got := h.dest.data(); len(got) != 0 {
			t.Fatalf("delivered %v at +60s", got)
		}
		h.advance(time.Second) // +61s
		if got := h.dest.data(); !slices.Equal(flat(got), []string{"a", "b"}) || len(got) != 1 {
			t.Fatalf("at +61s delivered %v, want one batch [a b]", got)
		}
		h.put("k", "c")
		h.read() // +62s: a new buffer, due at +122s
		h.advance(59 * time.Second)
		if got := h.dest.data(); len(got) != 1 {
			t.Fatalf("second buffer delivered early: %v", got)
		}
		h.advance(time.Second)
		if got := h.dest.data(); len(got) != 2 || !slices.Equal(got[1], []string{"c"}) {
			t.Fatalf("at +122s delivered %v", got)
		}
	})
}

// TestSizeTriggersDelivery: a buffer is delivered as soon as it holds
// SizeInMBs of data, long before the interval, and not while it holds
// less.
func TestSizeTriggersDelivery(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, func(c *Config) { c.BufferingHints.IntervalInSeconds = Int(900) })
		h.start()
		chunk := strings.Repeat("x", 100<<10) // 100 KiB
		for i := range 10 {
			h.put("k", string(rune('a'+i))+chunk)
		}
		h.read()
		if got := h.dest.data(); len(got) != 0 {
			t.Fatalf("delivered with 1000 KiB buffered of 1024: %d batches", len(got))
		}
		h.put("k", "k"+chunk) // 1100 KiB
		h.read()
		got := h.dest.data()
		if len(got) != 1 || len(got[0]) != 11 {
			t.Fatalf("after reaching 1 MiB: %d batches %v", len(got), batchSizes(got))
		}
		h.put("k", "tail")
		h.read() // buffered at +3s: due at +903s
		h.advance(899 * time.Second)
		if got := h.dest.data(); len(got) != 1 {
			t.Fatalf("the small second buffer was delivered before its interval")
		}
		h.advance(time.Second)
		if got := h.dest.data(); len(got) != 2 || !slices.Equal(got[1], []string{"tail"}) {
			t.Fatalf("second buffer: %v", batchSizes(got))
		}
	})
}

// TestZeroIntervalDeliversEachRead: IntervalInSeconds 0 delivers what
// each read brought, at once, in one batch.
func TestZeroIntervalDeliversEachRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, func(c *Config) { c.BufferingHints = BufferingHints{SizeInMBs: Int(5), IntervalInSeconds: Int(0)} })
		h.start()
		h.put("k", "a")
		h.put("k", "b")
		h.read()
		h.put("k", "c")
		h.read()
		if got := h.dest.data(); len(got) != 2 || !slices.Equal(got[0], []string{"a", "b"}) || !slices.Equal(got[1], []string{"c"}) {
			t.Fatalf("delivered %v, want [[a b] [c]]", got)
		}
	})
}

// TestRecordDelimiter: RecordDelimiter is appended to every record, and
// without it records are delivered as they are.
func TestRecordDelimiter(t *testing.T) {
	for _, delim := range []string{"", "\n", "|"} {
		t.Run("delimiter="+strings.ReplaceAll(delim, "\n", `\n`), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, 1, func(c *Config) { c.RecordDelimiter = delim })
				h.start()
				h.put("k", `{"n":1}`)
				h.put("k", `{"n":2}`)
				h.read()
				h.advance(time.Minute)
				want := []string{`{"n":1}` + delim, `{"n":2}` + delim}
				if got := flat(h.dest.data()); !slices.Equal(got, want) {
					t.Fatalf("delivered %q, want %q", got, want)
				}
			})
		})
	}
}

func batchSizes(batches [][]string) []int {
	var out []int
	for _, b := range batches {
		out = append(out, len(b))
	}
	return out
}

// TestDestinationMaxRecords: a destination's MaxRecords seals buffers at
// that many records, also behind a wrapper.
func TestDestinationMaxRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, 1, nil) // 1 MiB, 60 s
		h.cfg.Destination = wrap(&limited{recorder: h.dest, limits: DestinationLimits{MaxRecords: 2}})
		h.start()
		for _, r := range numbered("r", 5) {
			h.put("k", r)
		}
		h.read()
		if got := h.dest.data(); !slices.Equal(flat(got), numbered("r", 4)) || len(got) != 2 {
			t.Fatalf("delivered %v at once, want two batches of 2", got)
		}
		h.advance(time.Minute)
		if got := h.dest.data(); len(got) != 3 || !slices.Equal(got[2], []string{"r4"}) {
			t.Errorf("delivered %v, want the last record alone after the interval", got)
		}
	})
}

// limited is a recorder with limits.
type limited struct {
	*recorder
	limits DestinationLimits
}

func (l *limited) Limits() DestinationLimits { return l.limits }
