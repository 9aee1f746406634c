package kds

import (
	"sync/atomic"

	"github.com/cespare/xxhash/v2"
)

// keyCacheSlots is the number of slots of a producer's keyHashCache.
const keyCacheSlots = 1 << 13

// keyHashCache remembers the hash keys of partition keys a producer puts
// again and again, so that they skip MD5. It is direct-mapped on the
// xxHash of the key. A key gets an entry only when it misses twice in a
// row in its slot, so a stream of distinct keys costs one xxHash and one
// store per record and allocates nothing. It is safe for concurrent use.
type keyHashCache struct {
	slots [keyCacheSlots]atomic.Pointer[keyHashEntry]
	// missed holds, per slot, the top half of the xxHash of the key that
	// missed there last.
	missed [keyCacheSlots]atomic.Uint32
}

// keyHashEntry is a cached key and its hash key; it never changes.
type keyHashEntry struct {
	key  string
	hash HashKey
}

// hash returns PartitionKeyHash(key).
func (c *keyHashCache) hash(key string) HashKey {
	x := xxhash.Sum64String(key)
	slot, tag := x%keyCacheSlots, uint32(x>>32)
	if e := c.slots[slot].Load(); e != nil && e.key == key {
		return e.hash
	}
	h := PartitionKeyHash(key)
	if c.missed[slot].Swap(tag) == tag {
		c.slots[slot].Store(&keyHashEntry{key: key, hash: h})
	}
	return h
}
