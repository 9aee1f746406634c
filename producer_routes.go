package kds

import (
	"context"
	"slices"
	"sort"
)

// producerRoutes is a Producer's map of the stream's open shards: the
// queue of each, ordered by starting hash key. A map is immutable once
// published; a refresh publishes a new one.
type producerRoutes struct {
	gen    uint64    // 0 until the first ListShards answered
	starts []HashKey // starting hash key of each queue's range
	queues []*shardQueue
}

// lookup returns the queue whose range holds h.
func (rt *producerRoutes) lookup(h HashKey) *shardQueue {
	if len(rt.queues) == 1 {
		return rt.queues[0]
	}
	i := sort.Search(len(rt.starts), func(i int) bool { return h.Less(rt.starts[i]) })
	return rt.queues[max(i-1, 0)]
}

// byID returns the queue of the open shard id, if the map has it.
func (rt *producerRoutes) byID(id string) (*shardQueue, bool) {
	i := slices.IndexFunc(rt.queues, func(q *shardQueue) bool { return q.id == id })
	if i < 0 {
		return nil, false
	}
	return rt.queues[i], true
}

// overlaps reports whether two hash key ranges share a key.
func overlaps(a, b HashKeyRange) bool {
	return !a.EndingHashKey.Less(b.StartingHashKey) && !b.EndingHashKey.Less(a.StartingHashKey)
}

// refresh learns the stream's open shards with ListShards, unless a map
// newer than generation seen is already published, and publishes the new
// map. A shard already in the map keeps its queue. A new shard gets a new
// queue that sends nothing until every older queue overlapping its hash
// range has drained; the queues of shards no longer open are retired:
// they take no new records and drain what they hold.
func (p *Producer) refresh(ctx context.Context, seen uint64) error {
	p.refreshMu.Lock()
	defer p.refreshMu.Unlock()
	old := p.routes.Load()
	if old.gen > seen {
		return nil
	}
	shards, err := p.listOpenShards(ctx)
	if err != nil {
		return err
	}
	p.m.refreshes.Add(1)
	slices.SortFunc(shards, func(a, b Shard) int {
		return a.HashKeyRange.StartingHashKey.Compare(b.HashKeyRange.StartingHashKey)
	})
	rt := &producerRoutes{gen: old.gen + 1}
	var fresh []*shardQueue
	p.queuesMu.Lock()
	if p.stopped {
		p.queuesMu.Unlock()
		return ErrProducerClosed
	}
	for _, s := range shards {
		q, ok := old.byID(s.ShardId)
		if !ok || q.rng != s.HashKeyRange {
			q = p.newQueue(s.ShardId, s.HashKeyRange)
			for _, o := range p.queues {
				if overlaps(o.rng, q.rng) {
					q.after = append(q.after, o)
				}
			}
			fresh = append(fresh, q)
		}
		rt.starts = append(rt.starts, s.HashKeyRange.StartingHashKey)
		rt.queues = append(rt.queues, q)
	}
	if len(rt.queues) == 0 {
		p.queuesMu.Unlock()
		return newError(codeResourceNotFound, "Stream %s has no open shards.", p.cfg.StreamName)
	}
	p.queues = append(p.queues, fresh...)
	p.wg.Add(len(fresh))
	p.queuesMu.Unlock()
	// Publish first, then retire: a put that finds its queue retired
	// looks again and finds the new map.
	p.routes.Store(rt)
	for _, q := range old.queues {
		if !slices.Contains(rt.queues, q) {
			q.retire()
		}
	}
	for _, q := range fresh {
		go q.run()
	}
	return nil
}

// listOpenShards returns the stream's open shards, from every page of
// ListShards.
func (p *Producer) listOpenShards(ctx context.Context) ([]Shard, error) {
	in := ListShardsInput{StreamName: p.cfg.StreamName, ShardFilter: ShardFilter{Type: ShardFilterAtLatest}}
	var shards []Shard
	for {
		out, err := p.cfg.Client.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, s := range out.Shards {
			if s.SequenceNumberRange.EndingSequenceNumber.IsZero() {
				shards = append(shards, s)
			}
		}
		if out.NextToken == "" {
			return shards, nil
		}
		in = ListShardsInput{NextToken: out.NextToken}
	}
}
