package trigger

import (
	"context"
	"math/big"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// split splits the stream's only shard in two halves.
func (e *env) split() {
	e.t.Helper()
	mid := new(big.Int).Lsh(big.NewInt(1), 127)
	if _, err := e.svc.SplitShard(context.Background(), kds.SplitShardInput{StreamName: testStream, ShardToSplit: shardID(0), NewStartingHashKey: mid.String()}); err != nil {
		e.t.Fatal(err)
	}
}

// TestResharding checks that a parent shard's records, retries and
// window close all come before any record of its children, which start
// windows of their own.
func TestResharding(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		keys := []string{"a", "b", "c", "d"}
		for _, k := range keys {
			e.putN(k, 2)
		}
		e.split()
		for _, k := range keys {
			e.put(k, k+"/3")
		}
		r := &recorder{clock: e.clock, respond: counter(0, 1)} // the first batch fails twice
		cfg := e.config(r.handle)
		cfg.TumblingWindowInSeconds = 60
		e.start(cfg)
		// The children's windows close two minutes after their end.
		e.advanceUntil(time.Second, 5*time.Minute, func() bool { return countFinal(r) == 3 })
		got := describeAll(r)
		parent := "w0 [a/1,a/2,b/1,b/2,c/1,c/2,d/1,d/2] count="
		if want := []string{parent, parent, parent, "w0 [] count=8 final"}; !slices.Equal(got[:4], want) {
			t.Errorf("parent shard: invocations\n got %q\nwant %q", got[:4], want)
		}
		children := map[string]bool{}
		var childData []string
		for _, c := range r.invocations()[4:] {
			w := c.event.TimeWindow
			if w.ShardID == shardID(0) {
				t.Errorf("parent invoked after its window closed: %s", describe(c))
			}
			children[w.ShardID] = true
			if !w.IsFinalInvokeForWindow {
				if w.State["count"] != "" {
					t.Errorf("child %s started with state %v", w.ShardID, w.State)
				}
				childData = append(childData, c.data()...)
			}
		}
		slices.Sort(childData)
		if want := []string{"a/3", "b/3", "c/3", "d/3"}; !slices.Equal(childData, want) || len(children) != 2 {
			t.Errorf("children %v got %v, want %v over both", children, childData, want)
		}
		if cp := e.checkpoint(shardID(0)); cp != "SHARD_END" {
			t.Errorf("parent checkpoint %s", cp)
		}
		checkKeyOrder(t, r)
	})
}

// countFinal counts the final invocations so far.
func countFinal(r *recorder) int {
	n := 0
	for _, c := range r.invocations() {
		if c.event.TimeWindow != nil && c.event.TimeWindow.IsFinalInvokeForWindow {
			n++
		}
	}
	return n
}
