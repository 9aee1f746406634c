package awsadapter_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/consumergroup"
)

// client is what the adapter and a *kds.Service have in common.
type client interface {
	kds.ProducerClient
	consumergroup.Client
}

// The calls the helpers make fail through the adapter with the same
// *kds.Error (code, message, retriability) as on the Service itself.
func TestErrorsMatchTheService(t *testing.T) {
	clock := kds.NewManualClock(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	svc, err := kds.NewService(kds.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	createStream(t, svc, "s", 1)
	remote := adapterFor(t, svc, noRetries)
	ctx := context.Background()
	it, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	expired := it.ShardIterator
	clock.Advance(kds.IteratorLifetime + time.Second)
	it, err = svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000", ShardIteratorType: kds.ShardIteratorTypeLatest})
	if err != nil {
		t.Fatal(err)
	}
	fresh := it.ShardIterator

	tests := []struct {
		name string
		is   error
		call func(client) error
	}{
		{"ListShards of a missing stream", kds.ErrResourceNotFound, func(c client) error {
			_, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "nope"})
			return err
		}},
		{"ListShards with a foreign token", kds.ErrInvalidArgument, func(c client) error {
			_, err := c.ListShards(ctx, kds.ListShardsInput{NextToken: "bm90IGEgdG9rZW4="})
			return err
		}},
		{"ListShards with too many results", kds.ErrValidation, func(c client) error {
			_, err := c.ListShards(ctx, kds.ListShardsInput{StreamName: "s", MaxResults: 10001})
			return err
		}},
		{"GetShardIterator of a missing shard", kds.ErrResourceNotFound, func(c client) error {
			_, err := c.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000009", ShardIteratorType: kds.ShardIteratorTypeLatest})
			return err
		}},
		{"GetShardIterator at a bad sequence number", kds.ErrInvalidArgument, func(c client) error {
			_, err := c.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: "s", ShardId: "shardId-000000000000",
				ShardIteratorType: kds.ShardIteratorTypeAtSequenceNumber, StartingSequenceNumber: "49590338271490256608559692538361571095921575989136588898"})
			return err
		}},
		{"GetRecords with an expired iterator", kds.ErrExpiredIterator, func(c client) error {
			_, err := c.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: expired})
			return err
		}},
		{"GetRecords with a garbled iterator", kds.ErrInvalidArgument, func(c client) error {
			_, err := c.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: "AAAA"})
			return err
		}},
		{"GetRecords over the call rate", kds.ErrProvisionedThroughputExceeded, func(c client) error {
			clock.Advance(time.Second) // a fresh second of read capacity
			for range 10 {
				if _, err := c.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: fresh}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"PutRecords to a missing stream", kds.ErrResourceNotFound, func(c client) error {
			_, err := c.PutRecords(ctx, kds.PutRecordsInput{StreamName: "nope", Records: []kds.PutRecordsRequestEntry{{Data: []byte("x"), PartitionKey: "k"}}})
			return err
		}},
		{"PutRecords with a bad explicit hash key", kds.ErrValidation, func(c client) error {
			_, err := c.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: []kds.PutRecordsRequestEntry{{Data: []byte("x"), PartitionKey: "k", ExplicitHashKey: "-1"}}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			local := tt.call(svc)
			wire := tt.call(remote)
			var le, we *kds.Error
			if !errors.As(local, &le) || !errors.Is(local, tt.is) {
				t.Fatalf("the Service's own error %v is not %v", local, tt.is)
			}
			if !errors.As(wire, &we) {
				t.Fatalf("through the adapter: %v, no *kds.Error", wire)
			}
			if *we != *le {
				t.Errorf("through the adapter: %q / %q\n          the Service: %q / %q", we.Code, we.Message, le.Code, le.Message)
			}
			if kds.IsRetriable(wire) != kds.IsRetriable(local) {
				t.Errorf("retriable through the adapter %v, on the Service %v", kds.IsRetriable(wire), kds.IsRetriable(local))
			}
		})
	}
}
