package kds

import (
	"errors"
	"fmt"
	"time"
)

// send makes the PutRecords call collect built, at now, with the shard
// map of generation gen, and settles every user record in it: stored,
// failed for good, or marked for a retry. Then it puts the records the
// call was collected from back in the queue, those to retry among them,
// in order, before every record queued since.
func (q *shardQueue) send(now time.Time, gen uint64) {
	p := q.p
	b := &q.batch
	entries, bytes := b.encode()
	charge(q.bytesLim, now, bytes)
	charge(q.recordsLim, now, len(entries))
	out, err := p.cfg.Client.PutRecords(p.ctx, PutRecordsInput{StreamName: p.cfg.StreamName, Records: entries})
	p.m.calls.Add(1)
	if err == nil && len(out.Records) != len(entries) {
		err = newError(codeInternalFailure, "PutRecords returned %d results for %d records", len(out.Records), len(entries))
	}

	retries := 0
	stored, storedKinesis, storedBytes := 0, 0, 0
	var check []int // aggregates that landed in a shard other than predicted
	var final error // the error every record of the call fails with
	if err != nil {
		p.m.callErrors.Add(1)
		switch {
		case p.ctx.Err() != nil:
			final = fmt.Errorf("%w: %w", ErrProducerClosed, err)
		case !retriable(err):
			final = err
		default:
			for i := range b.recs {
				retries += b.retry(&b.recs[i], err)
			}
		}
		if final != nil {
			p.m.failed.Add(int64(len(b.order)))
		}
	} else {
		for i, res := range out.Records {
			kr := &b.recs[i]
			if res.ErrorCode != "" {
				e := recordError(res)
				if e.Code == codeProvisionedThroughputExceeded {
					p.m.throttles.Add(1)
				}
				retries += b.retry(kr, e)
				continue
			}
			if res.ShardId != kr.target.id && kr.hi-kr.lo > 1 {
				check = append(check, i)
				continue
			}
			kr.stored = true
			stored += kr.hi - kr.lo
			storedKinesis++
			storedBytes += len(entries[i].PartitionKey) + len(entries[i].Data)
		}
		for i, res := range out.Records {
			if res.ErrorCode == "" && res.ShardId != b.recs[i].target.id {
				// The map is stale: a shard closed or its range moved.
				// A failed refresh is tried again on the next surprise.
				_ = p.refresh(p.ctx, gen)
				break
			}
		}
		rt := p.routes.Load()
		for _, i := range check {
			kr, res := &b.recs[i], out.Records[i]
			if sq, ok := rt.byID(res.ShardId); ok && b.allIn(kr, sq.rng) {
				kr.stored = true
				stored += kr.hi - kr.lo
				storedKinesis++
				storedBytes += len(entries[i].PartitionKey) + len(entries[i].Data)
				continue
			}
			p.m.misrouted.Add(1)
			retries += b.retry(kr, errMisrouted)
		}
	}
	p.m.userPut.Add(int64(stored))
	p.m.kinesisPut.Add(int64(storedKinesis))
	p.m.bytesPut.Add(int64(storedBytes))
	p.m.retries.Add(int64(retries))

	switch {
	case storedKinesis == 0 && retries > 0:
		q.failures++
	case retries > 0:
		q.failures = 1
	default:
		q.failures = 0
	}
	q.retryAt = time.Time{}
	if q.failures > 0 {
		q.retryAt = p.cfg.Clock.Now().Add(q.backoff())
	}

	// The buffer gets the room back before the results are given, so
	// that whoever waits for a result may put again at once.
	finished, finishedBytes := b.finished()
	p.buf.release(finished, finishedBytes)
	for i := range b.recs {
		kr := &b.recs[i]
		switch {
		case kr.stored:
			b.succeed(kr, out.Records[i])
		case final != nil:
			b.fail(kr, final)
		}
	}
	k := b.settle()
	q.mu.Lock()
	q.pendingBytes -= finishedBytes
	q.reattachLocked(k)
	q.recycleLocked()
	q.progressedLocked()
	q.mu.Unlock()
}

// succeed gives the user records of kr, stored as res says, their
// results.
func (b *putBatch) succeed(kr *kinesisRecord, res PutRecordsResultEntry) {
	for j := kr.lo; j < kr.hi; j++ {
		sub := int64(0)
		if kr.hi-kr.lo > 1 {
			sub = int64(j - kr.lo)
		}
		b.user(j).finish(PutResult{ShardId: res.ShardId, SequenceNumber: res.SequenceNumber, SubSequenceNumber: sub})
	}
}

// fail gives the user records of kr err as their final result.
func (b *putBatch) fail(kr *kinesisRecord, err error) {
	for j := kr.lo; j < kr.hi; j++ {
		b.user(j).finish(PutResult{Err: err})
	}
}

// allIn reports whether the hash key of every user record of kr lies in
// r.
func (b *putBatch) allIn(kr *kinesisRecord, r HashKeyRange) bool {
	for j := kr.lo; j < kr.hi; j++ {
		if !r.Contains(b.user(j).r.hash) {
			return false
		}
	}
	return true
}

// retriable reports whether a failed call is worth retrying: a Kinesis
// error that says so, or any other error (a network failure of a remote
// client, say).
func retriable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retriable()
	}
	return true
}

// recordError is the error of a record a PutRecords call failed.
// Kinesis reports internal failures of a record as "InternalFailure";
// they get the code of [ErrInternalFailure].
func recordError(res PutRecordsResultEntry) *Error {
	code := res.ErrorCode
	if code == "InternalFailure" {
		code = codeInternalFailure
	}
	return &Error{Code: code, Message: res.ErrorMessage}
}
