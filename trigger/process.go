package trigger

import (
	"errors"
	"fmt"
	"time"
)

// attempt is a batch on its way through the handler: the records left,
// and what happened to them so far.
type attempt struct {
	recs    []*pending
	retries int  // retries consumed
	invokes int  // invocations with these records, those of larger batches included
	errored bool // the last invocation returned an error (rather than a partial failure)
}

// process runs one batch until every record in it has succeeded or been
// discarded, as Lambda does: a failing batch is retried (blocking the
// lane) until it succeeds, its records grow older than
// MaximumRecordAgeInSeconds, or it has used MaximumRetryAttempts
// retries. With BisectBatchOnFunctionError a failing batch of more than
// one record is split in halves, the first run to its end before the
// second, without using a retry. False means the lease ended first.
func (l *lane) process(batch []*pending) bool {
	s := l.p.s
	stack := []*attempt{{recs: batch}}
	for len(stack) > 0 {
		if l.p.ctx.Err() != nil {
			return false
		}
		a := stack[len(stack)-1]
		if n := l.expired(a.recs); n > 0 {
			if !l.discard(a, n, RecordAgeExceeded) {
				return false
			}
			if a.recs = a.recs[n:]; len(a.recs) == 0 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		failedAt, resp, err := l.invoke(a.recs)
		if failedAt >= 0 && l.p.ctx.Err() != nil {
			return false // stopped: the records stay for the next owner
		}
		a.invokes++
		a.errored = err != nil
		switch {
		case failedAt < 0:
			l.finish(a.recs)
			stack = stack[:len(stack)-1]
		case failedAt > 0:
			l.finish(a.recs[:failedAt])
			a.recs = a.recs[failedAt:]
		}
		if failedAt != 0 && l.win != nil && !l.setState(resp.State) {
			return false
		}
		switch {
		case failedAt < 0:
			continue
		case failedAt > 0 && s.BisectBatchOnFunctionError:
			continue // split at the failed record: no retry used
		case failedAt == 0 && s.BisectBatchOnFunctionError && len(a.recs) > 1:
			half := len(a.recs) / 2
			first := *a
			first.recs = a.recs[:half]
			a.recs = a.recs[half:]
			stack = append(stack, &first)
			continue
		}
		a.retries++
		if s.retries >= 0 && a.retries > s.retries {
			if !l.discard(a, len(a.recs), RetryAttemptsExhausted) {
				return false
			}
			stack = stack[:len(stack)-1]
			continue
		}
		if !l.sleep(retryBackoff.Delay(a.retries)) {
			return false
		}
	}
	return true
}

// invoke calls the handler with recs and returns the index of the first
// failed record: -1 if none failed, 0 if the whole batch failed (an
// error, or a failure naming no record of the batch), or the lowest index
// of the records the response names.
func (l *lane) invoke(recs []*pending) (failedAt int, resp KinesisEventResponse, err error) {
	ev := KinesisEvent{Records: make([]KinesisEventRecord, len(recs))}
	for i, r := range recs {
		ev.Records[i] = r.event
		ev.Records[i].Kinesis.Data = append([]byte{}, r.rec.Data...)
	}
	if l.win != nil {
		ev.TimeWindow = l.windowEvent(false, false)
	}
	resp, err = l.p.call(ev)
	if err != nil {
		return 0, resp, err
	}
	if !l.p.s.reportItems || len(resp.BatchItemFailures) == 0 {
		return -1, resp, nil
	}
	failedAt = len(recs)
	for _, f := range resp.BatchItemFailures {
		i := indexOf(recs, f.ItemIdentifier)
		if i < 0 {
			return 0, resp, nil
		}
		failedAt = min(failedAt, i)
	}
	return failedAt, resp, nil
}

// indexOf returns the index of the first record of recs with sequence
// number seq, or -1.
func indexOf(recs []*pending, seq string) int {
	for i, r := range recs {
		if seq != "" && r.event.Kinesis.SequenceNumber == seq {
			return i
		}
	}
	return -1
}

// errNoState is the function error of a tumbling window's invocation
// whose response has no state.
var errNoState = errors.New("trigger: the response of a tumbling window's invocation has no State")

// call invokes the handler, turning a panic, and in a tumbling window a
// response without a state, into a function error.
func (p *shard) call(ev KinesisEvent) (resp KinesisEventResponse, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("trigger: handler panicked: %v", v)
		}
	}()
	resp, err = p.s.Handler(p.ctx, ev)
	if err == nil && ev.TimeWindow != nil && resp.State == nil {
		err = errNoState
	}
	return resp, err
}

// finish marks records as through the handler: done, or, in a tumbling
// window, done when the window closes.
func (l *lane) finish(recs []*pending) {
	p := l.p
	p.mu.Lock()
	p.queued -= len(recs)
	p.notifyLocked()
	p.mu.Unlock()
	if l.win != nil {
		l.win.recs = append(l.win.recs, recs...)
		return
	}
	p.done(recs)
}

// expired returns how many records at the start of recs are older than
// MaximumRecordAgeInSeconds. A lane's records arrive in order, so the
// expired ones come first.
func (l *lane) expired(recs []*pending) int {
	s := l.p.s
	if s.MaximumRecordAgeInSeconds < 0 {
		return 0
	}
	limit := s.Clock.Now().Add(-time.Duration(s.MaximumRecordAgeInSeconds) * time.Second)
	n := 0
	for n < len(recs) && recs[n].rec.ApproximateArrivalTimestamp.Before(limit) {
		n++
	}
	return n
}

// discard gives up on the first n records of a, reporting them to the
// on-failure destination, and marks them through; false means the lease
// ended first.
func (l *lane) discard(a *attempt, n int, condition string) bool {
	if !l.report(a, a.recs[:n], condition) {
		return false
	}
	l.finish(a.recs[:n])
	return true
}
