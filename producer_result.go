package kds

import (
	"context"
	"sync/atomic"
)

// PutResult is the outcome of one user record put through a [Producer]:
// where it was stored, or why it was not.
type PutResult struct {
	// ShardId is the shard that stored the record.
	ShardId string
	// SequenceNumber is the stored Kinesis record's sequence number.
	SequenceNumber SequenceNumber
	// SubSequenceNumber is the user record's position in its aggregate,
	// from 0; it is 0 for a record sent on its own.
	SubSequenceNumber int64
	// Attempts is how many PutRecords calls carried the record.
	Attempts int
	// Err is nil if the record was stored, and otherwise its final error.
	Err error
}

// PutOption changes how [Producer.PutAsync] puts one record.
type PutOption func(*PendingPut)

// WithExplicitHashKey routes the record by k, a decimal hash key in
// [0, 2^128-1], instead of by its partition key's MD5 hash.
func WithExplicitHashKey(k string) PutOption { return func(r *PendingPut) { r.ehk = k } }

// WithCallback has fn called once with the record's final result, from a
// producer goroutine, before the record's Done channel closes. fn should
// return quickly: the shard's next call waits for it. fn must not call
// the Producer's Flush or Close, nor a Put or PutAsync that may wait for
// buffer room: they wait for that same goroutine and could never return.
// Hand such work to another goroutine.
func WithCallback(fn func(PutResult)) PutOption { return func(r *PendingPut) { r.cb = fn } }

// PendingPut is the handle of a record accepted by [Producer.PutAsync].
// Its methods are safe for concurrent use.
type PendingPut struct {
	// Set before the record is queued, then read-only.
	ehk  string
	hash HashKey
	cb   func(PutResult)

	// lastErr is the record's last error, and once it has finished its
	// final one. Until then only the sender of its queue uses it.
	lastErr error

	// The rest of the final result, set when it finishes.
	shardID       string
	seqNum        SequenceNumber
	sub, attempts int32

	// done is nil until the record finishes or someone asks for its Done
	// channel; once it has finished, it is finishedSignal.
	done atomic.Pointer[doneSignal]
}

// doneSignal holds a record's Done channel.
type doneSignal struct{ ch chan struct{} }

// finishedSignal marks a finished record; its channel is closed.
var finishedSignal = func() *doneSignal { s := &doneSignal{ch: make(chan struct{})}; close(s.ch); return s }()

// Done returns a channel that is closed once the record is stored or has
// failed.
func (r *PendingPut) Done() <-chan struct{} {
	if s := r.done.Load(); s != nil {
		return s.ch
	}
	s := &doneSignal{ch: make(chan struct{})}
	if r.done.CompareAndSwap(nil, s) {
		return s.ch
	}
	return r.done.Load().ch
}

// Result returns the record's final result. It is valid once Done is
// closed; before that it is the zero PutResult.
func (r *PendingPut) Result() PutResult {
	if r.done.Load() != finishedSignal {
		return PutResult{}
	}
	return PutResult{ShardId: r.shardID, SequenceNumber: r.seqNum, SubSequenceNumber: int64(r.sub), Attempts: int(r.attempts), Err: r.lastErr}
}

// Wait waits for the record's final result and returns it with its Err,
// or returns ctx's error if ctx ends first.
func (r *PendingPut) Wait(ctx context.Context) (PutResult, error) {
	select {
	case <-r.Done():
		res := r.Result()
		return res, res.Err
	case <-ctx.Done():
		return PutResult{}, ctx.Err()
	}
}

// finish calls the callback, and then records the final result and
// closes Done. It runs once per record, on the sender of its queue.
func (r *PendingPut) finish(res PutResult) {
	if r.cb != nil {
		r.cb(res)
	}
	r.shardID, r.seqNum, r.sub, r.attempts, r.lastErr = res.ShardId, res.SequenceNumber, int32(res.SubSequenceNumber), int32(res.Attempts), res.Err
	if s := r.done.Swap(finishedSignal); s != nil {
		close(s.ch)
	}
}
