package kdstest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds/compat/kdstest"
)

// TestSubscribeToShard subscribes two consumers to a shard, each through
// a client of its own, and checks that both receive every record put
// while they listen, in order. Run with -count and -race, it checks that
// the fake's clients do not lose event streams to the SDK.
func TestSubscribeToShard(t *testing.T) {
	f := kdstest.New(t, kdstest.WithStream("s", 1))
	c := f.Client()
	d, err := c.DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	const n = 50
	var streams []*kinesis.SubscribeToShardEventStream
	for _, name := range []string{"billing", "audit"} {
		reg, err := c.RegisterStreamConsumer(t.Context(), &kinesis.RegisterStreamConsumerInput{
			StreamARN:    d.StreamDescriptionSummary.StreamARN,
			ConsumerName: aws.String(name),
		})
		if err != nil {
			t.Fatal(err)
		}
		out, err := f.NewClient().SubscribeToShard(t.Context(), &kinesis.SubscribeToShardInput{
			ConsumerARN:      reg.Consumer.ConsumerARN,
			ShardId:          aws.String("shardId-000000000000"),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
		})
		if err != nil {
			t.Fatal(err)
		}
		s := out.GetStream()
		t.Cleanup(func() { s.Close() })
		streams = append(streams, s)
	}
	for i := range n {
		if _, err := c.PutRecord(t.Context(), &kinesis.PutRecordInput{
			StreamName:   aws.String("s"),
			PartitionKey: aws.String("k"),
			Data:         fmt.Appendf(nil, "%03d", i),
		}); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range streams {
		var got []string
		for len(got) < n {
			select {
			case e, ok := <-s.Events():
				if !ok {
					t.Fatalf("subscription %d ended after %d records: %v", i, len(got), s.Err())
				}
				ev, isEvent := e.(*types.SubscribeToShardEventStreamMemberSubscribeToShardEvent)
				if !isEvent {
					t.Fatalf("subscription %d: unexpected event %T", i, e)
				}
				for _, r := range ev.Value.Records {
					got = append(got, string(r.Data))
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("subscription %d: %d records after 10 s, want %d", i, len(got), n)
			}
		}
		if len(got) != n {
			t.Fatalf("subscription %d: %d records, want %d", i, len(got), n)
		}
		for j, data := range got {
			if want := fmt.Sprintf("%03d", j); data != want {
				t.Fatalf("subscription %d: record %d is %q, want %q", i, j, data, want)
			}
		}
	}
}

// TestCleanupEndsOpenSubscriptions leaves a subscription open when a test
// ends: the fake's cleanup must end it rather than wait out its five
// minutes.
func TestCleanupEndsOpenSubscriptions(t *testing.T) {
	var stream *kinesis.SubscribeToShardEventStream
	done := make(chan struct{})
	go func() {
		defer close(done)
		t.Run("open subscription", func(t *testing.T) {
			f := kdstest.New(t, kdstest.WithStream("s", 1))
			d, err := f.Client().DescribeStreamSummary(t.Context(), &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
			if err != nil {
				t.Fatal(err)
			}
			reg, err := f.Client().RegisterStreamConsumer(t.Context(), &kinesis.RegisterStreamConsumerInput{
				StreamARN: d.StreamDescriptionSummary.StreamARN, ConsumerName: aws.String("c"),
			})
			if err != nil {
				t.Fatal(err)
			}
			// Not t.Context(): the subscription must outlive the test body.
			out, err := f.NewClient().SubscribeToShard(context.Background(), &kinesis.SubscribeToShardInput{
				ConsumerARN:      reg.Consumer.ConsumerARN,
				ShardId:          aws.String("shardId-000000000000"),
				StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeLatest},
			})
			if err != nil {
				t.Fatal(err)
			}
			stream = out.GetStream()
		})
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the fake's cleanup is waiting for an open subscription")
	}
	if stream == nil {
		t.Fatal("no subscription was opened")
	}
	for range stream.Events() {
	}
	stream.Close()
}
