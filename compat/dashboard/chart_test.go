package dashboard

import (
	"testing"
	"time"
)

func TestShardChartSteps(t *testing.T) {
	counts := []ShardCount{{start, 1}, {start.Add(30 * time.Second), 2}, {start.Add(time.Minute), 2}}
	c := shardChart(counts)
	// Two shards are the top of the plot (y 12), one half way (y 92); 30 s
	// is half way along (x 496). The count holds until it changes.
	if want := "44.0,92.0 496.0,92.0 496.0,12.0 948.0,12.0 948.0,12.0"; c.Line != want {
		t.Errorf("line %q, want %q", c.Line, want)
	}
	if want := "44.0,172 " + c.Line + " 948,172"; c.Area != want {
		t.Errorf("area %q, want %q", c.Area, want)
	}
	if len(c.Changes) != 2 || c.Changes[1].X != 496 || c.Changes[1].Title != "12:01:00 UTC: 2 open" {
		t.Errorf("changes %+v, want the two recorded counts", c.Changes)
	}
	if c.From != "12:00:30" || c.To != "12:01:30" {
		t.Errorf("time axis %s to %s", c.From, c.To)
	}

	// A single count is drawn at the end of the last minute.
	c = shardChart([]ShardCount{{start, 3}})
	if c.Line != "948.0,12.0" || len(c.Changes) != 1 || c.From != "11:59:30" {
		t.Errorf("single count: line %q, %d changes, from %s", c.Line, len(c.Changes), c.From)
	}
}

func TestYScale(t *testing.T) {
	for _, tt := range []struct{ most, step, top int }{
		{0, 1, 1}, {1, 1, 1}, {4, 1, 4}, {5, 2, 6}, {6, 2, 6}, {20, 5, 20}, {21, 6, 24}, {1000, 250, 1000},
	} {
		if step, top := yScale(tt.most); step != tt.step || top != tt.top {
			t.Errorf("yScale(%d) = %d, %d; want %d, %d", tt.most, step, top, tt.step, tt.top)
		}
	}
}
