package trigger

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// keysForLanes returns one partition key per lane of n.
func keysForLanes(n int) []string {
	keys := make([]string, n)
	found := 0
	for i := 0; found < n; i++ {
		k := "key-" + strconv.Itoa(i)
		if l := laneIndex(k, n); keys[l] == "" {
			keys[l] = k
			found++
		}
	}
	return keys
}

// TestParallelization checks that a shard's lanes run concurrently, that
// a partition key is never in two batches at once, and that each key's
// records come in order.
func TestParallelization(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		keys := make([]string, 12)
		for i := range keys {
			keys[i] = "key-" + strconv.Itoa(i)
		}
		for range 6 {
			for _, k := range keys {
				e.put(k, k)
			}
		}
		var (
			mu       sync.Mutex
			inflight = map[string]bool{} // keys in a batch under way
			running  int
			overlap  []string
			seen     = map[string]int{}
		)
		gate := make(chan struct{})
		respond := func(_ int, ev KinesisEvent) (KinesisEventResponse, error) {
			mu.Lock()
			running++
			batchKeys := map[string]bool{}
			for _, r := range ev.Records {
				k := r.Kinesis.PartitionKey
				if inflight[k] && !batchKeys[k] {
					overlap = append(overlap, k)
				}
				batchKeys[k] = true
				seen[k]++
			}
			for k := range batchKeys {
				inflight[k] = true
			}
			mu.Unlock()
			<-gate
			mu.Lock()
			for k := range batchKeys {
				delete(inflight, k)
			}
			running--
			mu.Unlock()
			return KinesisEventResponse{}, nil
		}
		r := &recorder{clock: e.clock, respond: respond}
		cfg := e.config(r.handle)
		cfg.ParallelizationFactor, cfg.BatchSize = 3, 5
		e.start(cfg)
		mu.Lock()
		if running != 3 {
			t.Errorf("%d batches under way, want 3 (one per lane)", running)
		}
		mu.Unlock()
		close(gate)
		e.settle()
		if len(overlap) > 0 {
			t.Errorf("keys in two batches at once: %v", overlap)
		}
		for _, k := range keys {
			if seen[k] != 6 {
				t.Errorf("key %s: %d records, want 6", k, seen[k])
			}
		}
		checkKeyOrder(t, r)
	})
}

// checkKeyOrder fails the test unless every key's records were first
// invoked in the order they were put (retries invoke records again).
func checkKeyOrder(t *testing.T, r *recorder) {
	t.Helper()
	last := map[string]kds.SequenceNumber{}
	seen := map[string]bool{}
	for _, c := range r.invocations() {
		for _, rec := range c.event.Records {
			k := rec.Kinesis.PartitionKey
			if seen[rec.Kinesis.SequenceNumber] {
				continue
			}
			seen[rec.Kinesis.SequenceNumber] = true
			seq, err := kds.ParseSequenceNumber(rec.Kinesis.SequenceNumber)
			if err != nil {
				t.Fatal(err)
			}
			if prev, ok := last[k]; ok && seq.Compare(prev) <= 0 {
				t.Errorf("key %s: %s first invoked after %s", k, seq, prev)
			}
			last[k] = seq
		}
	}
}

// TestParallelizationBlocksOneLane checks that a failing batch blocks only
// its lane: the other lane's keys go on, and the shard's checkpoint waits
// for the blocked lane.
func TestParallelizationBlocksOneLane(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		keys := keysForLanes(2)
		a, b := keys[0], keys[1]
		var seqs []string
		for i := 1; i <= 3; i++ {
			seqs = append(seqs, e.put(a, a+"/"+strconv.Itoa(i)), e.put(b, b+"/"+strconv.Itoa(i)))
		}
		var mu sync.Mutex
		healed := false
		r := &recorder{clock: e.clock, respond: func(_ int, ev KinesisEvent) (KinesisEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			if !healed && contains(ev, a+"/1") {
				return KinesisEventResponse{}, errBad
			}
			return KinesisEventResponse{}, nil
		}}
		cfg := e.config(r.handle)
		cfg.ParallelizationFactor, cfg.BatchSize = 2, 1
		e.start(cfg)
		e.advance(10 * time.Second)
		var got []string
		for _, c := range r.invocations() {
			got = append(got, c.data()...)
		}
		if want := []string{b + "/1", b + "/2", b + "/3"}; !slices.Equal(withoutKey(got, a), want) {
			t.Errorf("lane of %s: %v, want %v", b, withoutKey(got, a), want)
		}
		for _, d := range got {
			if d == a+"/2" || d == a+"/3" {
				t.Errorf("%s invoked while %s/1 failed", d, a)
			}
		}
		if cp := e.checkpoint(shardID(0)); cp != "TRIM_HORIZON" {
			t.Errorf("checkpoint %s moved past the failing record", cp)
		}
		mu.Lock()
		healed = true
		mu.Unlock()
		e.advance(time.Minute)
		if cp := e.checkpoint(shardID(0)); cp != seqs[5] {
			t.Errorf("checkpoint %s, want %s", cp, seqs[5])
		}
		checkKeyOrder(t, r)
	})
}

// withoutKey returns the data in d not of key k.
func withoutKey(d []string, k string) []string {
	return slices.DeleteFunc(slices.Clone(d), func(s string) bool { return len(s) > len(k) && s[:len(k)+1] == k+"/" })
}
