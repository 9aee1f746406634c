package trigger

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/kdsgo/kds"
)

// TestAggregatedRecords checks that a KPL aggregate reaches the handler as
// its user records, sharing the aggregate's sequence number, and that a
// checkpoint between two of them holds across a restart.
func TestAggregatedRecords(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, 1)
		var users []kds.UserRecord
		for _, d := range []string{"u/0", "u/1", "u/2"} {
			users = append(users, kds.UserRecord{PartitionKey: "key-" + d, Data: []byte(d)})
		}
		out, err := e.svc.PutRecord(context.Background(), kds.PutRecordInput{StreamName: testStream, PartitionKey: "k", Data: kds.AppendAggregate(nil, users)})
		if err != nil {
			t.Fatal(err)
		}
		seq := out.SequenceNumber.String()

		r := &recorder{clock: e.clock}
		h := func(ctx context.Context, ev KinesisEvent) (KinesisEventResponse, error) {
			r.handle(ctx, ev)
			if len(r.invocations()) == 1 {
				return KinesisEventResponse{}, nil
			}
			<-ctx.Done()
			return KinesisEventResponse{}, ctx.Err()
		}
		cfg := e.config(h)
		cfg.BatchSize = 2
		stop := e.start(cfg)
		stop()
		calls := r.invocations()
		if len(calls) != 2 || !slices.Equal(calls[0].data(), []string{"u/0", "u/1"}) || !slices.Equal(calls[1].data(), []string{"u/2"}) {
			t.Fatalf("invocations %+v", calls)
		}
		for i, rec := range calls[0].event.Records {
			if rec.Kinesis.SequenceNumber != seq || rec.Kinesis.PartitionKey != "key-u/"+string(rune('0'+i)) || rec.EventID != shardID(0)+":"+seq {
				t.Errorf("user record %d: %+v", i, rec)
			}
		}

		r2 := &recorder{clock: e.clock}
		cfg2 := e.config(r2.handle)
		cfg2.WorkerID = "worker-2"
		e.start(cfg2)
		if calls := r2.invocations(); len(calls) != 1 || !slices.Equal(calls[0].data(), []string{"u/2"}) {
			t.Errorf("after the restart: invocations %+v, want u/2 alone", calls)
		}
	})
}
