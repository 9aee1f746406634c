package load

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"golang.org/x/time/rate"
)

// Counts totals the outcomes of PutRecords calls; it is safe for
// concurrent use.
type Counts struct {
	// Calls counts calls made, failed ones included.
	Calls atomic.Int64
	// Records counts records accepted.
	Records atomic.Int64
	// FailedRecords counts records refused, or lost with a failed call.
	FailedRecords atomic.Int64
	// FailedCalls counts calls that returned an error.
	FailedCalls atomic.Int64

	firstErr atomic.Pointer[error]
}

// FirstError returns the error of the first failed call, or nil.
func (c *Counts) FirstError() error {
	if err := c.firstErr.Load(); err != nil {
		return *err
	}
	return nil
}

// Putter sends PutRecords calls to one stream, every record with the same
// data and a random partition key, and counts their outcomes.
type Putter struct {
	Client *kinesis.Client
	Stream string
	// Data is every record's payload.
	Data []byte
	// Latencies, if not nil, gets the duration of every call.
	Latencies *Latencies
	// Counts totals the calls' outcomes.
	Counts Counts
}

// Put sends one PutRecords call of n records, counts its outcome and
// returns the number of records accepted.
func (p *Putter) Put(ctx context.Context, n int) int {
	entries := make([]types.PutRecordsRequestEntry, n)
	for i := range entries {
		entries[i] = types.PutRecordsRequestEntry{Data: p.Data, PartitionKey: aws.String(RandomHex(8))}
	}
	start := time.Now()
	out, err := p.Client.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(p.Stream), Records: entries})
	if p.Latencies != nil {
		p.Latencies.Add(time.Since(start))
	}
	p.Counts.Calls.Add(1)
	if err != nil {
		p.Counts.FailedCalls.Add(1)
		p.Counts.firstErr.CompareAndSwap(nil, &err)
		p.Counts.FailedRecords.Add(int64(n))
		return 0
	}
	failed := int(aws.ToInt32(out.FailedRecordCount))
	p.Counts.FailedRecords.Add(int64(failed))
	p.Counts.Records.Add(int64(n - failed))
	return n - failed
}

// Run runs workers concurrent loops of Put calls of batch records each
// until the deadline passes or ctx ends, and returns the time from its
// start until the last call ended: at least until the deadline, unless
// ctx ended first. A call under way at the deadline is let finish. With a limiter, each call first waits for one token per
// record; the limiter's burst must be at least batch.
func (p *Putter) Run(ctx context.Context, workers, batch int, deadline time.Time, limiter *rate.Limiter) time.Duration {
	// Only the waits for tokens end at the deadline, not the calls.
	waitCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if limiter != nil && limiter.WaitN(waitCtx, batch) != nil {
					// No tokens before the deadline: the run still
					// lasts until then.
					<-waitCtx.Done()
					return
				}
				p.Put(ctx, batch)
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}
