package kds

import (
	"sort"

	"github.com/cespare/xxhash/v2"
)

// Partitioner selects how a partition key becomes a hash key.
type Partitioner int

const (
	// PartitionerMD5 hashes keys as Kinesis does (MD5, read as a big-endian
	// 128-bit integer), so every record lands on the shard AWS would pick.
	PartitionerMD5 Partitioner = iota
	// PartitionerXXHash hashes keys with xxHash64, spread over the 128-bit
	// space. It is faster, for simulations where AWS-exact placement does
	// not matter.
	PartitionerXXHash
)

// hash returns the hash key of a partition key.
func (p Partitioner) hash(key string) HashKey {
	if p == PartitionerXXHash {
		return xxhashPartitionKeyHash(key)
	}
	return PartitionKeyHash(key)
}

// xxhashPartitionKeyHash spreads xxHash64 of the key over both halves of
// the hash key so that every part of the space is reachable.
func xxhashPartitionKeyHash(key string) HashKey {
	h := xxhash.Sum64String(key)
	return NewHashKey(h, h*0x9e3779b97f4a7c15)
}

// routeTable holds a stream's open shards ordered by starting hash key. It
// is immutable: resharding publishes a new table.
type routeTable struct {
	shards []*shard
}

// newRouteTable builds the table for a set of open shards, which must cover
// the hash key space without gaps or overlap.
func newRouteTable(open []*shard) *routeTable {
	s := append([]*shard(nil), open...)
	sort.Slice(s, func(i, j int) bool { return s[i].hashRange.StartingHashKey.Less(s[j].hashRange.StartingHashKey) })
	return &routeTable{shards: s}
}

// lookup returns the open shard whose range holds h.
func (t *routeTable) lookup(h HashKey) *shard {
	s := t.shards
	// The last shard whose start is at or below h.
	i := sort.Search(len(s), func(i int) bool { return h.Less(s[i].hashRange.StartingHashKey) })
	return s[i-1]
}
