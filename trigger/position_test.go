package trigger

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

// TestStartingPosition checks where a new mapping starts.
func TestStartingPosition(t *testing.T) {
	for _, tc := range []struct {
		name string
		pos  StartingPosition
		at   time.Duration // StartingPositionTimestamp after t0, for AT_TIMESTAMP
		want []string
	}{
		{"trim horizon", TrimHorizon, 0, []string{"k/1", "k/2", "k/3", "k/4"}},
		{"latest", Latest, 0, []string{"k/4"}},
		{"at timestamp", AtTimestamp, 10 * time.Second, []string{"k/2", "k/3", "k/4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, 1)
				for _, d := range []string{"k/1", "k/2", "k/3"} {
					e.put("k", d)
					e.advance(10 * time.Second)
				}
				r := &recorder{clock: e.clock}
				cfg := e.config(r.handle)
				cfg.StartingPosition = tc.pos
				if tc.pos == AtTimestamp {
					cfg.StartingPositionTimestamp = t0.Add(tc.at)
				}
				e.start(cfg)
				e.put("k", "k/4")
				e.advance(time.Second)
				var got []string
				for _, c := range r.invocations() {
					got = append(got, c.data()...)
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("records %v, want %v", got, tc.want)
				}
			})
		})
	}
}
