package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/kdsgo/kds"
)

// Putter is what [ToStream] writes through. [*kds.Producer] satisfies it,
// over a [*kds.Service] or, through compat/awsadapter, over Kinesis.
type Putter interface {
	PutAsync(ctx context.Context, partitionKey string, data []byte, opts ...kds.PutOption) (*kds.PendingPut, error)
}

// ToStream returns a Sink that writes each result to another stream
// through p: one record per result, its data the JSON encoding of the
// [Output] ({"window":{"start":...,"end":...},"key":...,"result":...,
// "update":...}, times in RFC 3339 UTC), its partition key the result's
// key, so the results of a key stay in order. A key must therefore be a
// valid partition key (1 to 256 characters); a result with another key
// fails to emit.
//
// Emit hands the record to p and returns without waiting; Flush waits for
// every record emitted since the last Flush and returns the errors of
// those that were not stored. [Windows.Run] flushes before it checkpoints,
// so no record is checkpointed before the results it contributed to are
// stored. The Sink is safe for concurrent use.
func ToStream[R any](p Putter) Sink[R] {
	return &streamSink[R]{p: p}
}

type streamSink[R any] struct {
	p       Putter
	mu      sync.Mutex
	pending []*kds.PendingPut
	failed  []error
}

func (s *streamSink[R]) Emit(ctx context.Context, out Output[R]) error {
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	pp, err := s.p.PutAsync(ctx, out.Key, data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Forget the puts that have finished, keeping their errors for Flush.
	n := 0
	for ; n < len(s.pending) && done(s.pending[n]); n++ {
		if err := putError(s.pending[n].Result()); err != nil {
			s.failed = append(s.failed, err)
		}
	}
	s.pending = append(s.pending[n:], pp)
	return nil
}

// putError returns a failed put's error, or nil.
func putError(r kds.PutResult) error {
	if r.Err == nil {
		return nil
	}
	return fmt.Errorf("analytics: put result: %w", r.Err)
}

// done reports whether a put has finished.
func done(q *kds.PendingPut) bool {
	select {
	case <-q.Done():
		return true
	default:
		return false
	}
}

func (s *streamSink[R]) Flush(ctx context.Context) error {
	s.mu.Lock()
	pending, failed := s.pending, s.failed
	s.pending, s.failed = nil, nil
	s.mu.Unlock()
	for i, q := range pending {
		if _, err := q.Wait(ctx); err != nil && !done(q) {
			// ctx ended: keep the unfinished puts for the next Flush.
			s.mu.Lock()
			s.pending = append(pending[i:], s.pending...)
			s.mu.Unlock()
			return errors.Join(append(failed, err)...)
		}
		failed = append(failed, putError(q.Result()))
	}
	return errors.Join(failed...)
}
