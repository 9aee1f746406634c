package trigger

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// countingClient counts the records GetRecords returns.
type countingClient struct {
	consumergroup.Client
	read atomic.Int64
}

func (c *countingClient) GetRecords(ctx context.Context, in kds.GetRecordsInput) (kds.GetRecordsOutput, error) {
	out, err := c.Client.GetRecords(ctx, in)
	c.read.Add(int64(len(out.Records)))
	return out, err
}

// TestBlockedShardStopsReading checks that a shard whose lane is blocked
// stops being read once a bounded number of records wait, and goes on
// once the lane moves.
func TestBlockedShardStopsReading(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		const total = 25000
		for i := 0; i < total; i += kds.MaxPutRecordsEntries {
			entries := make([]kds.PutRecordsRequestEntry, kds.MaxPutRecordsEntries)
			for j := range entries {
				entries[j] = kds.PutRecordsRequestEntry{PartitionKey: "k", Data: []byte(strconv.Itoa(i + j))}
			}
			out, err := e.svc.PutRecords(context.Background(), kds.PutRecordsInput{StreamName: testStream, Records: entries})
			if err != nil || out.FailedRecordCount != 0 {
				t.Fatalf("PutRecords: %v, %d failed", err, out.FailedRecordCount)
			}
		}
		var mu sync.Mutex
		healed := false
		r := &recorder{clock: e.clock, respond: func(int, KinesisEvent) (KinesisEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			if !healed {
				return KinesisEventResponse{}, errBad
			}
			return KinesisEventResponse{}, nil
		}}
		client := &countingClient{Client: e.svc}
		cfg := e.config(r.handle)
		cfg.Client = client
		e.start(cfg)
		e.advanceUntil(time.Second, time.Minute, func() bool { return e.clock.Now().Sub(t0) >= 30*time.Second })
		if read := client.read.Load(); read > 2*kds.MaxGetRecordsLimit {
			t.Errorf("%d records read while the shard was blocked, want at most %d", read, 2*kds.MaxGetRecordsLimit)
		}
		mu.Lock()
		healed = true
		mu.Unlock()
		e.advanceUntil(time.Second, 10*time.Minute, func() bool {
			calls := r.invocations()
			return contains(calls[len(calls)-1].event, strconv.Itoa(total-1))
		})
		if read := client.read.Load(); read != total {
			t.Errorf("%d records read in all, want %d", read, total)
		}
	})
}
