package kds

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// send makes the PutRecords call collect built, at now, with the shard
// map of generation gen, and settles every user record in it: stored,
// failed for good, or back at the head of the queue for a retry.
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

	var retry []queued
	stored, storedKinesis, storedBytes := 0, 0, 0
	var check []int // aggregates that landed in a shard other than predicted
	if err != nil {
		p.m.callErrors.Add(1)
		final := p.ctx.Err() != nil || !retriable(err)
		if p.ctx.Err() != nil {
			err = fmt.Errorf("%w: %w", ErrProducerClosed, err)
		}
		for i := range b.users {
			u := &b.users[i]
			u.r.lastErr = err
			if final {
				p.m.failed.Add(1)
				u.finish(PutResult{Err: err})
			} else {
				retry = append(retry, *u)
			}
		}
	} else {
		for i, res := range out.Records {
			kr := &b.recs[i]
			users := b.users[kr.lo:kr.hi]
			if res.ErrorCode != "" {
				e := recordError(res)
				if e.Code == codeProvisionedThroughputExceeded {
					p.m.throttles.Add(1)
				}
				for j := range users {
					users[j].r.lastErr = e
				}
				retry = append(retry, users...)
				continue
			}
			if res.ShardId != kr.target.id && len(users) > 1 {
				check = append(check, i)
				continue
			}
			stored += succeed(users, res)
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
			users := b.users[kr.lo:kr.hi]
			if sq, ok := rt.byID(res.ShardId); ok && allIn(users, sq.rng) {
				stored += succeed(users, res)
				storedKinesis++
				storedBytes += len(entries[i].PartitionKey) + len(entries[i].Data)
				continue
			}
			p.m.misrouted.Add(1)
			for j := range users {
				users[j].r.lastErr = errMisrouted
			}
			retry = append(retry, users...)
		}
	}
	p.m.userPut.Add(int64(stored))
	p.m.kinesisPut.Add(int64(storedKinesis))
	p.m.bytesPut.Add(int64(storedBytes))
	p.m.retries.Add(int64(len(retry)))

	switch {
	case storedKinesis == 0 && len(retry) > 0:
		q.failures++
	case len(retry) > 0:
		q.failures = 1
	default:
		q.failures = 0
	}
	q.retryAt = time.Time{}
	if q.failures > 0 {
		q.retryAt = p.cfg.Clock.Now().Add(q.backoff())
	}

	finishedBytes := 0
	for i := range b.users {
		finishedBytes += b.users[i].size
	}
	for i := range retry {
		finishedBytes -= retry[i].size
	}
	p.buf.release(len(b.users)-len(retry), finishedBytes)
	q.mu.Lock()
	q.inflight = 0
	q.putBackLocked(retry)
	q.recycleLocked()
	q.progressedLocked()
	q.mu.Unlock()
}

// succeed gives the user records of one Kinesis record their results and
// returns how many there were.
func succeed(users []queued, res PutRecordsResultEntry) int {
	for j := range users {
		sub := int64(0)
		if len(users) > 1 {
			sub = int64(j)
		}
		users[j].finish(PutResult{ShardId: res.ShardId, SequenceNumber: res.SequenceNumber, SubSequenceNumber: sub})
	}
	return len(users)
}

// putBackLocked returns records to the queue for a retry, merging them by
// seq with the records still queued, so that they go before every newer
// record.
func (q *shardQueue) putBackLocked(rs []queued) {
	if len(rs) == 0 {
		return
	}
	slices.SortFunc(rs, func(a, b queued) int { return cmpUint64(a.seq, b.seq) })
	for i := range rs {
		q.pendingBytes += rs[i].size
	}
	rest := q.pending[q.head:]
	if q.head < len(rs) {
		merged := make([]queued, len(rs)+len(rest), len(rs)+len(rest)+len(rest)/2)
		w, j := 0, 0
		for _, r := range rs {
			for j < len(rest) && rest[j].seq < r.seq {
				merged[w], w, j = rest[j], w+1, j+1
			}
			merged[w], w = r, w+1
		}
		copy(merged[w:], rest[j:])
		q.pending, q.head = merged, 0
		return
	}
	// Merge forwards into the free slots before head: the write position
	// never passes the next unread queued record.
	w, j := q.head-len(rs), 0
	for _, r := range rs {
		for j < len(rest) && rest[j].seq < r.seq {
			q.pending[w], w, j = rest[j], w+1, j+1
		}
		q.pending[w], w = r, w+1
	}
	q.head -= len(rs)
}

// allIn reports whether every user record's hash key lies in r.
func allIn(users []queued, r HashKeyRange) bool {
	for i := range users {
		if !r.Contains(users[i].r.hash) {
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
