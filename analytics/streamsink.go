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
// fails to emit and is dropped.
//
// Emit hands the record to p and returns without waiting. Flush waits for
// every record emitted since the last Flush, puts again those that were
// refused or failed (a full buffer, a throttled or missing stream), and
// returns their errors; such a result stays with the Sink, and is put
// again by each Flush until it is stored. [Windows.Run] flushes before it
// checkpoints and checkpoints only after a Flush without errors, so no
// record is checkpointed before the results it contributed to are stored.
// The Sink is safe for concurrent use.
func ToStream[R any](p Putter) Sink[R] {
	return &streamSink[R]{p: p}
}

// streamSink is the Sink of [ToStream].
type streamSink[R any] struct {
	p       Putter
	mu      sync.Mutex
	pending []sentResult // put, not known to be stored
	retry   []result     // refused or failed, to put again
}

// result is one encoded Output.
type result struct {
	key  string
	data []byte
}

// sentResult is a result handed to the Putter.
type sentResult struct {
	result
	put *kds.PendingPut
}

func (s *streamSink[R]) Emit(ctx context.Context, out Output[R]) error {
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	r := result{key: out.Key, data: data}
	pp, err := s.p.PutAsync(ctx, r.key, r.data)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if !permanent(err) {
			s.retry = append(s.retry, r)
		}
		return err
	}
	// Forget the puts that have finished, keeping the failed ones.
	n := 0
	for ; n < len(s.pending) && done(s.pending[n].put); n++ {
		if putError(s.pending[n].put.Result()) != nil {
			s.retry = append(s.retry, s.pending[n].result)
		}
	}
	s.pending = append(s.pending[n:], sentResult{r, pp})
	return nil
}

// permanent reports whether a refusal will not change on its own: the
// record is invalid (its key, say), so putting it again is pointless.
func permanent(err error) bool {
	var e *kds.Error
	return errors.As(err, &e) && (e.Code == "ValidationException" || e.Code == "InvalidArgumentException")
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
	pending, retry := s.pending, s.retry
	s.pending, s.retry = nil, nil
	s.mu.Unlock()

	var errs []error
	var failed []result // to keep for the next Flush
	for _, r := range retry {
		pp, err := s.p.PutAsync(ctx, r.key, r.data)
		if err != nil {
			errs = append(errs, fmt.Errorf("analytics: put result again: %w", err))
			failed = append(failed, r)
			continue
		}
		pending = append(pending, sentResult{r, pp})
	}
	for i, q := range pending {
		if _, err := q.put.Wait(ctx); err != nil && !done(q.put) {
			// ctx ended: keep the unfinished puts for the next Flush.
			s.keep(pending[i:], failed)
			return errors.Join(append(errs, err)...)
		}
		if err := putError(q.put.Result()); err != nil {
			errs = append(errs, err)
			failed = append(failed, q.result)
		}
	}
	s.keep(nil, failed)
	return errors.Join(errs...)
}

// keep puts back what a Flush could not settle, ahead of what was emitted
// meanwhile.
func (s *streamSink[R]) keep(pending []sentResult, failed []result) {
	s.mu.Lock()
	s.pending = append(pending, s.pending...)
	s.retry = append(failed, s.retry...)
	s.mu.Unlock()
}
