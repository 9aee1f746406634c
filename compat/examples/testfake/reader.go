package testfake

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Reader reads a stream from its oldest records with GetRecords.
type Reader struct {
	Client *kinesis.Client
	Stream string // the stream's name
	// Backoff paces the retries of calls refused for throttling (a shard
	// serves five GetRecords calls a second).
	Backoff Backoff
	// Limit is the most records one GetRecords call returns. Default (0):
	// the service's, 10,000.
	Limit int32
}

// Drain calls handle for every record of the stream, in order within each
// shard, and for a shard's records only once its parents have been read
// to their end, so that the records of a key come in order across splits
// and merges. It reads closed shards to their end, following the
// ChildShards of their last GetRecords answer, and open shards up to
// their latest record, and returns nil when there is nothing left to
// read. An iterator that expires while handle runs is replaced by one
// after the last record read. Drain stops at the first error of handle or
// of the service.
func (r *Reader) Drain(ctx context.Context, handle func(types.Record) error) error {
	parents, err := r.listShards(ctx)
	if err != nil {
		return err
	}
	done := map[string]bool{}
	ready := func(ps []string) bool {
		for _, p := range ps {
			if _, listed := parents[p]; listed && !done[p] {
				return false
			}
		}
		return true
	}
	var queue []string
	queued := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(parents)) {
		if ready(parents[id]) {
			queue = append(queue, id)
			queued[id] = true
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		children, err := r.readShard(ctx, id, handle)
		if err != nil {
			return fmt.Errorf("read shard %s of stream %s: %w", id, r.Stream, err)
		}
		done[id] = true
		for _, c := range children {
			cid := aws.ToString(c.ShardId)
			if _, listed := parents[cid]; !listed {
				parents[cid] = c.ParentShards
			}
			if !queued[cid] && ready(parents[cid]) {
				queued[cid] = true
				queue = append(queue, cid)
			}
		}
	}
	return nil
}

// listShards returns the stream's shards, each with its parents.
func (r *Reader) listShards(ctx context.Context) (map[string][]string, error) {
	parents := map[string][]string{}
	in := &kinesis.ListShardsInput{StreamName: aws.String(r.Stream)}
	for {
		var out *kinesis.ListShardsOutput
		err := r.Backoff.do(ctx, func() (err error) {
			out, err = r.Client.ListShards(ctx, in)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list shards of stream %s: %w", r.Stream, err)
		}
		for _, s := range out.Shards {
			var ps []string
			for _, p := range []*string{s.ParentShardId, s.AdjacentParentShardId} {
				if p != nil {
					ps = append(ps, *p)
				}
			}
			parents[aws.ToString(s.ShardId)] = ps
		}
		if out.NextToken == nil {
			return parents, nil
		}
		in = &kinesis.ListShardsInput{NextToken: out.NextToken}
	}
}

// readShard reads one shard to its end, or to its latest record if it is
// open, and returns its children if it is closed.
func (r *Reader) readShard(ctx context.Context, id string, handle func(types.Record) error) ([]types.ChildShard, error) {
	var last string // sequence number of the last record handled
	it, err := r.iterator(ctx, id, last)
	if err != nil {
		return nil, err
	}
	for {
		var out *kinesis.GetRecordsOutput
		err := r.Backoff.do(ctx, func() (err error) {
			in := &kinesis.GetRecordsInput{ShardIterator: it}
			if r.Limit > 0 {
				in.Limit = aws.Int32(r.Limit)
			}
			out, err = r.Client.GetRecords(ctx, in)
			return err
		})
		var expired *types.ExpiredIteratorException
		if errors.As(err, &expired) {
			if it, err = r.iterator(ctx, id, last); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, rec := range out.Records {
			if err := handle(rec); err != nil {
				return nil, err
			}
			last = aws.ToString(rec.SequenceNumber)
		}
		if out.NextShardIterator == nil {
			return out.ChildShards, nil
		}
		if len(out.Records) == 0 && aws.ToInt64(out.MillisBehindLatest) == 0 {
			return nil, nil
		}
		it = out.NextShardIterator
	}
}

// iterator returns an iterator for shard id that starts after the record
// numbered after, or at the shard's oldest record if after is empty.
func (r *Reader) iterator(ctx context.Context, id, after string) (*string, error) {
	in := &kinesis.GetShardIteratorInput{
		StreamName:        aws.String(r.Stream),
		ShardId:           aws.String(id),
		ShardIteratorType: types.ShardIteratorTypeTrimHorizon,
	}
	if after != "" {
		in.ShardIteratorType = types.ShardIteratorTypeAfterSequenceNumber
		in.StartingSequenceNumber = aws.String(after)
	}
	var out *kinesis.GetShardIteratorOutput
	err := r.Backoff.do(ctx, func() (err error) {
		out, err = r.Client.GetShardIterator(ctx, in)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out.ShardIterator, nil
}
