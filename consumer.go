package kds

import (
	"context"
	"iter"
)

// readBatch is how many records a Go-native reader takes from one shard
// before visiting the next, so that one busy shard cannot starve others.
const readBatch = 1000

// shardCursor is a Go-native reader's position in one shard.
type shardCursor struct {
	sh   *shard
	next uint64 // counter of the next record to read
	stop uint64 // read only below this counter; ^0 to follow forever
}

// Records returns the stream's records from position from on, in every
// shard, and then keeps following new records as they arrive, waking within
// microseconds of a put. Records of one shard (and so of one partition key)
// come in order; shards are interleaved. The sequence ends when ctx is done,
// yielding ctx's error, or when the stream is deleted, yielding
// ResourceNotFoundException. Break out of the loop to stop early.
//
// Sequence-number positions apply to the shard the number belongs to;
// the other shards start at their trim horizon.
func (s *Stream) Records(ctx context.Context, from StartPosition) iter.Seq2[Record, error] {
	return s.read(ctx, from, true)
}

// Replay is [Stream.Records] without the following: it yields the records
// from position from up to the newest record at the time of the call, then
// ends.
func (s *Stream) Replay(ctx context.Context, from StartPosition) iter.Seq2[Record, error] {
	return s.read(ctx, from, false)
}

func (s *Stream) read(ctx context.Context, from StartPosition, follow bool) iter.Seq2[Record, error] {
	return func(yield func(Record, error) bool) {
		cursors := s.cursors(from, follow)
		var buf []Record
		for {
			if err := ctx.Err(); err != nil {
				yield(Record{}, err)
				return
			}
			now := s.svc.clock.Now()
			if s.gone(now) {
				yield(Record{}, s.svc.notFound(s.name))
				return
			}
			// Arm the wake-up before looking, so a put that lands after
			// the look still wakes us.
			wake := s.arrived.wait()
			read, pending := 0, false
			for i := range cursors {
				c := &cursors[i]
				v := c.sh.snapshot()
				if c.next >= c.stop {
					continue
				}
				buf, c.next = c.sh.readInto(buf[:0], v, c.next, int(min(readBatch, c.stop-c.next)), MaxGetRecordsBytes, s.cutoffMs(now), EncryptionNone)
				for _, r := range buf {
					if !yield(r, nil) {
						return
					}
				}
				read += len(buf)
				pending = pending || c.next < min(c.stop, v.end())
			}
			if read > 0 || pending {
				continue
			}
			if !follow && s.replayDone(cursors) {
				return
			}
			select {
			case <-wake:
			case <-ctx.Done():
			}
		}
	}
}

// cursors positions a reader in every shard of the stream.
func (s *Stream) cursors(from StartPosition, follow bool) []shardCursor {
	shards := s.allShards()
	cursors := make([]shardCursor, len(shards))
	for i, sh := range shards {
		v := sh.snapshot()
		p := from
		if (p.typ == ShardIteratorTypeAtSequenceNumber || p.typ == ShardIteratorTypeAfterSequenceNumber) && !sh.belongsTo(p.seq) {
			p = TrimHorizon()
		}
		cursors[i] = shardCursor{sh: sh, next: p.startCounter(v), stop: ^uint64(0)}
		if !follow {
			cursors[i].stop = v.end()
		}
	}
	return cursors
}

// replayDone reports whether every cursor has reached its stop.
func (s *Stream) replayDone(cursors []shardCursor) bool {
	for _, c := range cursors {
		if c.next < c.stop {
			return false
		}
	}
	return true
}
