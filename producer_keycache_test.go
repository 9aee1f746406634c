package kds

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// TestKeyHashCacheAgrees puts random keys, many repeated and many sharing
// slots, through one cache from several goroutines and checks every hash
// against PartitionKeyHash, and that repeated keys were cached.
func TestKeyHashCacheAgrees(t *testing.T) {
	var c keyHashCache
	// Twice as many keys as slots, so slots are shared and entries evicted.
	keys := make([]string, 4*keyCacheSets)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%d-%x", i, i*7919)
	}
	keys = append(keys, "", "é", string(make([]byte, 256)))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 7))
			for range 50_000 {
				k := keys[rng.IntN(len(keys))]
				if rng.IntN(2) == 0 {
					k = keys[rng.IntN(64)] // a few hot keys
				}
				if got, want := c.hash(k), PartitionKeyHash(k); got != want {
					t.Errorf("hash(%q) = %v, want %v", k, got, want)
					return
				}
			}
		})
	}
	wg.Wait()
	cached := 0
	for i := range 64 {
		set := xxhash.Sum64String(keys[i]) % keyCacheSets
		for w := range 2 {
			if e := c.slots[2*set+uint64(w)].Load(); e != nil && e.key == keys[i] {
				cached++
			}
		}
	}
	if cached < 48 {
		t.Errorf("%d of 64 hot keys cached, want most", cached)
	}
}

// TestKeyHashCacheAlternating checks that keys that share a set and are
// put in turn are both cached.
func TestKeyHashCacheAlternating(t *testing.T) {
	var c keyHashCache
	var pair []string
	want := xxhash.Sum64String("a") % keyCacheSets
	for i := 0; len(pair) < 2; i++ {
		if k := fmt.Sprint("k", i); xxhash.Sum64String(k)%keyCacheSets == want {
			pair = append(pair, k)
		}
	}
	for range 3 {
		for _, k := range pair {
			c.hash(k)
		}
	}
	for _, k := range pair {
		if e0, e1 := c.slots[2*want].Load(), c.slots[2*want+1].Load(); (e0 == nil || e0.key != k) && (e1 == nil || e1.key != k) {
			t.Errorf("key %q, put in turn with %q, is not cached", k, pair)
		}
	}
}

// TestKeyHashCacheDistinctKeys checks that keys seen once are not cached.
func TestKeyHashCacheDistinctKeys(t *testing.T) {
	var c keyHashCache
	for i := range 1000 {
		c.hash(fmt.Sprint("once-", i))
	}
	for i := range c.slots {
		if c.slots[i].Load() != nil {
			t.Fatalf("slot %d filled by a key seen once", i)
		}
	}
	c.hash("partition-key-1")
	c.hash("partition-key-1")
	if allocs := testing.AllocsPerRun(100, func() { c.hash("partition-key-1") }); allocs != 0 {
		t.Errorf("a cached key allocates %v times", allocs)
	}
}
