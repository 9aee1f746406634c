package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// errEnough ends a follow that has emitted all the records wanted.
var errEnough = errors.New("enough records")

// follower reads every shard of a stream, one goroutine per shard being
// read, in the order of their lineage: a shard created by resharding is
// read once its parents (one after a split, two after a merge) have been
// read to their end, so that the records of a key come out in the order
// they were put.
type follower struct {
	client *kinesis.Client
	stream string
	from   startPosition
	// follow keeps reading a shard that is caught up; without it a shard
	// is left once it is, and the follow ends when all are.
	follow bool
	// poll is the pause before asking a caught-up shard again.
	poll time.Duration
	// emit prints a shard's records, in order; it returns errEnough when
	// no more are wanted. emitMu keeps calls from overlapping.
	emit   func(shardID string, recs []types.Record) error
	emitMu sync.Mutex

	ctx    context.Context
	cancel context.CancelCauseFunc
	wg     sync.WaitGroup
	// started counts the shards read.
	started atomic.Int64

	mu     sync.Mutex
	shards map[string]*shardState
	// childStart is where a shard found later starts: TRIM_HORIZON, or
	// the --from time for at-timestamp and at-sequence.
	childStart startPosition
}

// shardState is what the follower knows of one shard.
type shardState struct {
	parents []string
	start   startPosition
	phase   shardPhase
}

// shardPhase is where a shard is in the follow.
type shardPhase int

const (
	// waiting: not read yet; it starts when its parents are done.
	waiting shardPhase = iota
	// reading: a goroutine reads it.
	reading
	// done: read to its end (closed), or skipped by the start position.
	done
)

// run follows the stream until ctx ends, emit has had enough, every shard
// is caught up (without follow), or a call fails; only the last is an
// error.
func (f *follower) run(ctx context.Context) error {
	f.ctx, f.cancel = context.WithCancelCause(ctx)
	defer f.cancel(nil)
	shards, err := listShards(f.ctx, f.client, f.stream)
	if err == nil {
		err = f.plan(shards)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil // interrupted before it began
		}
		return err
	}
	f.mu.Lock()
	f.startReady()
	f.mu.Unlock()
	f.wg.Wait()
	err = context.Cause(f.ctx)
	if errors.Is(err, errEnough) || ctx.Err() != nil {
		return nil // nil too if every reader ended by itself
	}
	return err
}

// plan sets where each listed shard starts, or that it is skipped.
func (f *follower) plan(shards []types.Shard) error {
	f.shards = make(map[string]*shardState, len(shards))
	f.childStart = f.from
	for _, s := range shards {
		f.shards[aws.ToString(s.ShardId)] = &shardState{parents: parentsOf(s), start: f.from}
	}
	switch f.from.kind {
	case types.ShardIteratorTypeLatest:
		// What is new comes to the open shards; closed ones are done.
		f.childStart = startPosition{kind: types.ShardIteratorTypeTrimHorizon}
		for _, s := range shards {
			if !shardOpen(s) {
				f.shards[aws.ToString(s.ShardId)].phase = done
			}
		}
	case types.ShardIteratorTypeAtSequenceNumber:
		// The shard that holds the record starts there, every other at
		// the record's arrival time; the holder's ancestors are done.
		holder, at, err := f.findSequence(shards)
		if err != nil {
			return err
		}
		f.childStart = startPosition{kind: types.ShardIteratorTypeAtTimestamp, at: at}
		for id, st := range f.shards {
			if id != holder {
				st.start = f.childStart
			}
		}
		f.markAncestorsDone(holder)
	}
	return nil
}

// parentsOf returns the ids of a shard's parents.
func parentsOf(s types.Shard) []string {
	var p []string
	for _, id := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
		if aws.ToString(id) != "" {
			p = append(p, *id)
		}
	}
	return p
}

// markAncestorsDone marks every known ancestor of a shard done.
func (f *follower) markAncestorsDone(id string) {
	for _, p := range f.shards[id].parents {
		if st, ok := f.shards[p]; ok && st.phase != done {
			st.phase = done
			f.markAncestorsDone(p)
		}
	}
}

// findSequence returns the shard that holds the --from sequence number
// and the arrival time of its record there.
func (f *follower) findSequence(shards []types.Shard) (string, time.Time, error) {
	for _, s := range shards {
		id := aws.ToString(s.ShardId)
		it, err := f.iterator(id, f.from)
		var invalid *types.InvalidArgumentException
		if errors.As(err, &invalid) {
			continue // the number is another shard's
		}
		if err != nil {
			return "", time.Time{}, err
		}
		out, err := f.client.GetRecords(f.ctx, &kinesis.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(1)})
		if err != nil {
			return "", time.Time{}, err
		}
		if len(out.Records) == 0 {
			return "", time.Time{}, fmt.Errorf("%s holds no record at or after sequence number %s", id, f.from.seq)
		}
		return id, aws.ToTime(out.Records[0].ApproximateArrivalTimestamp), nil
	}
	return "", time.Time{}, fmt.Errorf("no shard of %s holds sequence number %s", f.stream, f.from.seq)
}

// startReady starts reading every waiting shard whose known parents are
// done; f.mu is held. A parent that is not known has left the retention
// window.
func (f *follower) startReady() {
	for id, st := range f.shards {
		if st.phase != waiting {
			continue
		}
		ready := true
		for _, p := range st.parents {
			if ps, ok := f.shards[p]; ok && ps.phase != done {
				ready = false
			}
		}
		if ready {
			st.phase = reading
			f.started.Add(1)
			f.wg.Add(1)
			go func() {
				defer f.wg.Done()
				if err := f.read(id, st.start); err != nil {
					f.cancel(err)
				}
			}()
		}
	}
}

// shardClosed records that a shard was read to its end and starts those
// of its children whose parents are all done. A child with a parent not
// yet known (a shard made by a later reshard, found through another
// lineage) makes the follower list the shards again to learn it.
func (f *follower) shardClosed(id string, children []types.ChildShard) error {
	f.mu.Lock()
	f.shards[id].phase = done
	relist := false
	for _, c := range children {
		cid := aws.ToString(c.ShardId)
		if _, ok := f.shards[cid]; !ok {
			f.shards[cid] = &shardState{parents: c.ParentShards, start: f.childStart}
		}
		for _, p := range c.ParentShards {
			if _, ok := f.shards[p]; !ok {
				relist = true
			}
		}
	}
	f.mu.Unlock()
	var shards []types.Shard
	if relist {
		var err error
		if shards, err = listShards(f.ctx, f.client, f.stream); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range shards {
		sid := aws.ToString(s.ShardId)
		if _, ok := f.shards[sid]; !ok {
			f.shards[sid] = &shardState{parents: parentsOf(s), start: f.childStart}
		}
	}
	f.startReady()
	return nil
}

// noSDKRetries makes a call a single attempt: the reader retries itself,
// without giving up.
func noSDKRetries(o *kinesis.Options) { o.RetryMaxAttempts = 1 }

// iterator returns a shard iterator at pos, retrying throttled calls.
func (f *follower) iterator(id string, pos startPosition) (*string, error) {
	in := &kinesis.GetShardIteratorInput{StreamName: aws.String(f.stream), ShardId: aws.String(id), ShardIteratorType: pos.kind}
	switch pos.kind {
	case types.ShardIteratorTypeAtTimestamp:
		in.Timestamp = aws.Time(pos.at)
	case types.ShardIteratorTypeAtSequenceNumber, types.ShardIteratorTypeAfterSequenceNumber:
		in.StartingSequenceNumber = aws.String(pos.seq)
	}
	var b backoff
	for {
		out, err := f.client.GetShardIterator(f.ctx, in, noSDKRetries)
		if err == nil {
			return out.ShardIterator, nil
		}
		if !transient(err) || f.ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", id, err)
		}
		if err := b.wait(f.ctx); err != nil {
			return nil, err
		}
	}
}

// read reads one shard from start, emitting its records, until it is
// closed and drained (then its children start), the follow ends, or,
// without follow, it is caught up. Throttled calls are retried after a
// growing pause; an expired iterator is replaced by one just after the
// last record emitted, or, if none was, by one at the start position. A
// LATEST start position then becomes the time (by this machine's clock)
// the first iterator was asked for, so that records put while the reader
// stalled are not skipped.
func (f *follower) read(id string, start startPosition) error {
	asked := time.Now()
	it, err := f.iterator(id, start)
	if err != nil {
		return err
	}
	if start.kind == types.ShardIteratorTypeLatest {
		start = startPosition{kind: types.ShardIteratorTypeAtTimestamp, at: asked}
	}
	var b backoff
	last := ""
	for {
		out, err := f.client.GetRecords(f.ctx, &kinesis.GetRecordsInput{ShardIterator: it}, noSDKRetries)
		var expired *types.ExpiredIteratorException
		switch {
		case errors.As(err, &expired):
			pos := start
			if last != "" {
				pos = afterSequence(last)
			}
			if it, err = f.iterator(id, pos); err != nil {
				return err
			}
			continue
		case err != nil && transient(err) && f.ctx.Err() == nil:
			if err := b.wait(f.ctx); err != nil {
				return err
			}
			continue
		case err != nil:
			return fmt.Errorf("%s: %w", id, err)
		}
		b.reset()
		if n := len(out.Records); n > 0 {
			f.emitMu.Lock()
			err := f.emit(id, out.Records)
			f.emitMu.Unlock()
			if err != nil {
				return err
			}
			last = aws.ToString(out.Records[n-1].SequenceNumber)
		}
		if out.NextShardIterator == nil {
			return f.shardClosed(id, out.ChildShards)
		}
		it = out.NextShardIterator
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			if !f.follow {
				return nil
			}
			if err := sleep(f.ctx, f.poll); err != nil {
				return err
			}
		}
	}
}
