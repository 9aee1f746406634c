package kds

import (
	"context"
	"iter"
	"time"
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
		cursors, err := s.cursors(from, follow)
		if err != nil {
			yield(Record{}, err)
			return
		}
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
			read := 0
			for i := range cursors {
				c := &cursors[i]
				if c.next >= c.stop {
					continue
				}
				buf, c.next = c.sh.readInto(buf[:0], c.sh.snapshot(), c.next, int(min(readBatch, c.stop-c.next)), MaxGetRecordsBytes, s.cutoffMs(now), EncryptionNone)
				for _, r := range buf {
					if !yield(r, nil) {
						return
					}
				}
				read += len(buf)
			}
			if read > 0 {
				continue
			}
			if !follow {
				return // every cursor has reached its stop
			}
			// Nothing to read: arm the wake-up, then look once more, so
			// that a put landing in between still wakes us.
			wake := s.arrived.wait()
			if hasUnread(cursors) {
				continue
			}
			var deleted <-chan time.Time
			if g := s.goneAt.Load(); g != nil {
				deleted = s.svc.clock.After(g.Sub(now))
			}
			select {
			case <-wake:
			case <-deleted:
			case <-ctx.Done():
			}
		}
	}
}

// cursors positions a reader in every shard of the stream. A sequence
// number positions the shard it belongs to; if it belongs to none, the
// read fails with InvalidArgumentException.
func (s *Stream) cursors(from StartPosition, follow bool) ([]shardCursor, error) {
	shards := s.allShards()
	cursors := make([]shardCursor, len(shards))
	bySeq := from.typ == ShardIteratorTypeAtSequenceNumber || from.typ == ShardIteratorTypeAfterSequenceNumber
	owned := false
	for i, sh := range shards {
		v := sh.snapshot()
		p := from
		if bySeq {
			if sh.belongsTo(p.seq) {
				owned = true
			} else {
				p = TrimHorizon()
			}
		}
		cursors[i] = shardCursor{sh: sh, next: p.startCounter(v), stop: ^uint64(0)}
		if !follow {
			cursors[i].stop = v.end()
		}
	}
	if bySeq && !owned {
		return nil, newError(codeInvalidArgument, "Sequence number %s did not come from stream %s under account %s.", from.seq, s.name, s.svc.cfg.accountID)
	}
	return cursors, nil
}

// hasUnread reports whether any cursor has records waiting below its stop.
func hasUnread(cursors []shardCursor) bool {
	for _, c := range cursors {
		if c.next < min(c.stop, c.sh.snapshot().end()) {
			return true
		}
	}
	return false
}
