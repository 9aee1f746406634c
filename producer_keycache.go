package kds

import (
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// keyCacheSets is the number of sets of a producer's keyHashCache; each
// set has two slots.
const keyCacheSets = 1 << 12

// keyHashCache remembers the hash keys of partition keys a producer puts
// again and again, so that they skip MD5. A key's xxHash picks its set of
// two slots. A key gets a slot only when it misses while it is one of the
// last two keys that missed in its set, so a stream of distinct keys costs
// an xxHash, a few loads and a store per record, and allocates nothing. It
// is safe for concurrent use.
type keyHashCache struct {
	slots [2 * keyCacheSets]atomic.Pointer[keyHashEntry]
	// missed holds, per set, the tags of the last two keys that missed
	// there, one in each half.
	missed [keyCacheSets]atomic.Uint64
}

// keyHashEntry is a cached key and its hash key; it never changes.
type keyHashEntry struct {
	key  string
	hash HashKey
}

// hash returns PartitionKeyHash(key).
func (c *keyHashCache) hash(key string) HashKey {
	x := xxhash.Sum64String(key)
	set, tag := x%keyCacheSets, x>>32 // tag: the top half
	ways := c.slots[2*set : 2*set+2]
	for i := range ways {
		if e := ways[i].Load(); e != nil && e.key == key {
			return e.hash
		}
	}
	h := PartitionKeyHash(key)
	m := c.missed[set].Load()
	if m>>32 != tag && m&(1<<32-1) != tag {
		c.missed[set].Store(m<<32 | tag)
		return h
	}
	// Fill an empty slot, or else the one the tag's low bit picks.
	way := tag & 1
	if ways[0].Load() == nil {
		way = 0
	} else if ways[1].Load() == nil {
		way = 1
	}
	ways[way].Store(&keyHashEntry{key: key, hash: h})
	return h
}
