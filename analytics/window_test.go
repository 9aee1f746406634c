package analytics

import (
	"slices"
	"testing"
	"time"
)

func TestAssign(t *testing.T) {
	epoch := time.Unix(0, 0).UTC()
	for _, tc := range []struct {
		name   string
		w      Windowing
		at     time.Time
		starts []time.Duration // window starts after the epoch
	}{
		{"tumbling", Tumbling(time.Minute), epoch.Add(90 * time.Second), []time.Duration{time.Minute}},
		{"tumbling on a boundary", Tumbling(time.Minute), epoch.Add(2 * time.Minute), []time.Duration{2 * time.Minute}},
		{"tumbling before the epoch", Tumbling(time.Minute), epoch.Add(-90 * time.Second), []time.Duration{-2 * time.Minute}},
		{"sliding", Sliding(time.Minute, 20*time.Second), epoch.Add(65 * time.Second), []time.Duration{20 * time.Second, 40 * time.Second, 60 * time.Second}},
		{"sliding before the epoch", Sliding(time.Minute, 20*time.Second), epoch.Add(-5 * time.Second), []time.Duration{-60 * time.Second, -40 * time.Second, -20 * time.Second}},
		{"sliding uneven, two", Sliding(time.Minute, 25*time.Second), epoch.Add(60 * time.Second), []time.Duration{25 * time.Second, 50 * time.Second}},
		{"sliding uneven, three", Sliding(time.Minute, 25*time.Second), epoch.Add(55 * time.Second), []time.Duration{0, 25 * time.Second, 50 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []time.Duration
			for _, win := range tc.w.assign(tc.at) {
				got = append(got, win.Start.Sub(epoch))
				if win.End.Sub(win.Start) != tc.w.size || tc.at.Before(win.Start) || !tc.at.Before(win.End) {
					t.Errorf("window %v does not hold %v", win, tc.at)
				}
			}
			if !slices.Equal(got, tc.starts) {
				t.Errorf("starts %v, want %v", got, tc.starts)
			}
		})
	}
}
