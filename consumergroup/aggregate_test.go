package consumergroup

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/kdsgo/kds"
)

// partialProcessor records what it is given and checkpoints once, at the
// user record whose data is checkpointData; it never checkpoints at
// shutdown.
type partialProcessor struct {
	mu             sync.Mutex
	got            []kds.Record
	checkpointData string
	err            error
}

func (p *partialProcessor) Initialize(context.Context, InitializeInput) {}
func (p *partialProcessor) ProcessRecords(ctx context.Context, in ProcessRecordsInput) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rec := range in.Records {
		p.got = append(p.got, rec)
		if string(rec.Data) == p.checkpointData {
			p.err = in.Checkpointer.CheckpointAt(ctx, rec)
		}
	}
}
func (p *partialProcessor) LeaseLost(context.Context, LeaseLostInput)                 {}
func (p *partialProcessor) ShardEnded(context.Context, ShardEndedInput)               {}
func (p *partialProcessor) ShutdownRequested(context.Context, ShutdownRequestedInput) {}

// TestAggregatedRecordsResumeInsideAggregate checks that KPL aggregates
// reach Processors as user records, and that a checkpoint inside an
// aggregate makes the next owner resume with the aggregate's next user
// record.
func TestAggregatedRecordsResumeInsideAggregate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		svc := newTestService(t, 1)
		ctx := context.Background()
		var users []kds.UserRecord
		for _, d := range []string{"0", "1", "2", "3", "4"} {
			users = append(users, kds.UserRecord{PartitionKey: "k", Data: []byte(d)})
		}
		agg, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: testStream, PartitionKey: "k", Data: kds.AppendAggregate(nil, users)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: testStream, PartitionKey: "k", Data: []byte("5")}); err != nil {
			t.Fatal(err)
		}

		store := NewMemStore()
		run := func(id string, p *partialProcessor) {
			t.Helper()
			cfg := Config{
				ApplicationName: testGroup, StreamName: testStream, WorkerID: id,
				Client: svc, Store: store, NewProcessor: func(string) Processor { return p },
				LeaseDuration: testLease, IdleTimeBetweenReads: testIdleRead,
			}
			w, err := NewWorker(cfg)
			if err != nil {
				t.Fatal(err)
			}
			runCtx, cancel := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- w.Run(runCtx) }()
			time.Sleep(time.Second)
			synctest.Wait()
			cancel()
			if err := <-done; err != nil {
				t.Fatalf("worker %s: %v", id, err)
			}
		}

		first := &partialProcessor{checkpointData: "2"}
		run("a", first)
		if first.err != nil {
			t.Fatalf("CheckpointAt(user record 2): %v", first.err)
		}
		if got := data(first.got); got != "0 1 2 3 4 5" {
			t.Fatalf("first worker got %q, want all six user records", got)
		}
		for i, rec := range first.got[:5] {
			if rec.SubSequenceNumber != int64(i) || rec.SequenceNumber != agg.SequenceNumber {
				t.Errorf("user record %d: sub %d, seq %s; want %d, %s", i, rec.SubSequenceNumber, rec.SequenceNumber, i, agg.SequenceNumber)
			}
		}
		leases, _ := store.ListLeases(ctx, testGroup)
		if want := (ExtendedSequenceNumber{SequenceNumber: agg.SequenceNumber.String(), SubSequenceNumber: 2}); len(leases) != 1 || leases[0].Checkpoint != want {
			t.Fatalf("stored leases %+v, want one checkpointed at %+v", leases, want)
		}

		second := &partialProcessor{}
		run("b", second)
		if got := data(second.got); got != "3 4 5" {
			t.Errorf("second worker got %q, want the user records after the checkpoint, \"3 4 5\"", got)
		}
	})
}

func data(recs []kds.Record) string {
	s := ""
	for i, r := range recs {
		if i > 0 {
			s += " "
		}
		s += string(r.Data)
	}
	return s
}
