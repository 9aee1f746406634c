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
// key, so the results of a key stay in order (a result that the producer
// gives up on for good, after its time-to-live, is put again after later
// ones). A key must therefore be a valid partition key (1 to 256
// characters); a result with another key fails to emit and is dropped,
// as are all results once the producer is closed.
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.retry) > 0 {
		// Earlier results wait to be put again: this one goes behind
		// them, so that a key's results are stored in order.
		s.retry = append(s.retry, r)
		return nil
	}
	pp, err := s.p.PutAsync(ctx, r.key, r.data)
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
// record is invalid (its key, say) or the producer is closed, so putting
// it again is pointless.
func permanent(err error) bool {
	var e *kds.Error
	return errors.Is(err, kds.ErrProducerClosed) || errors.As(err, &e) && (e.Code == "ValidationException" || e.Code == "InvalidArgumentException")
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

	// The puts in flight are older than the results waiting to be put
	// again: settle them first, then put the failed ones and the waiting
	// ones, oldest first, stopping at the first refusal so that order
	// holds.
	failed, errs, err := s.settle(ctx, pending)
	if err != nil {
		s.keep(nil, append(failed, retry...))
		return errors.Join(append(errs, err)...)
	}
	toPut := append(failed, retry...)
	var again []sentResult
	for i, r := range toPut {
		pp, err := s.p.PutAsync(ctx, r.key, r.data)
		if err != nil {
			errs = append(errs, fmt.Errorf("analytics: put result again: %w", err))
			if permanent(err) {
				continue
			}
			s.keep(again, toPut[i:])
			return errors.Join(errs...)
		}
		again = append(again, sentResult{r, pp})
	}
	failed, errs2, err := s.settle(ctx, again)
	errs = append(errs, errs2...)
	s.keep(nil, failed)
	if err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// settle waits for the puts, returning the results that failed (to put
// again) with their errors, or ctx's error if it ends first, when the
// unfinished puts are kept for the next Flush.
func (s *streamSink[R]) settle(ctx context.Context, puts []sentResult) (failed []result, errs []error, err error) {
	for i, q := range puts {
		if _, err := q.put.Wait(ctx); err != nil && !done(q.put) {
			s.keep(puts[i:], nil)
			return failed, errs, err
		}
		if err := putError(q.put.Result()); err != nil {
			errs = append(errs, err)
			failed = append(failed, q.result)
		}
	}
	return failed, errs, nil
}

// keep puts back what a Flush could not settle, ahead of what was emitted
// meanwhile.
func (s *streamSink[R]) keep(pending []sentResult, failed []result) {
	s.mu.Lock()
	s.pending = append(pending, s.pending...)
	s.retry = append(failed, s.retry...)
	s.mu.Unlock()
}
