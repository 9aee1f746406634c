package kinesisapi_test

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

func TestPutRecordRoundTrip(t *testing.T) {
	clock := kds.NewManualClock(testEpoch.Add(123 * 1e6))
	c, _, _ := newTestServer(t, kds.WithClock(clock))
	createStream(t, c, "s", 1)
	ctx := context.Background()
	data := make([]byte, 256)
	for i := range data {
		data[i] = byte(i)
	}
	put, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("ключ"), Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if *put.ShardId != "shardId-000000000000" || len(*put.SequenceNumber) != 56 || put.EncryptionType != types.EncryptionTypeNone {
		t.Fatalf("PutRecord = %s %s %q", *put.ShardId, *put.SequenceNumber, put.EncryptionType)
	}
	recs := readAll(t, c, "s", "shardId-000000000000", types.ShardIteratorTypeTrimHorizon)
	if len(recs) != 1 {
		t.Fatalf("read %d records, want 1", len(recs))
	}
	r := recs[0]
	if !bytes.Equal(r.Data, data) || *r.PartitionKey != "ключ" || *r.SequenceNumber != *put.SequenceNumber {
		t.Errorf("record = %x %q %s", r.Data, *r.PartitionKey, *r.SequenceNumber)
	}
	if !r.ApproximateArrivalTimestamp.Equal(clock.Now()) {
		t.Errorf("ApproximateArrivalTimestamp = %v, want %v", r.ApproximateArrivalTimestamp, clock.Now())
	}
}

func TestPutRecordsRoutesAsService(t *testing.T) {
	c, _, _ := newTestServer(t)
	createStream(t, c, "s", 4)
	local, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	ctx := context.Background()
	if _, err := local.CreateStream(ctx, kds.CreateStreamInput{StreamName: "s", ShardCount: 4}); err != nil {
		t.Fatal(err)
	}
	var wire []types.PutRecordsRequestEntry
	var in []kds.PutRecordsRequestEntry
	for i := range 100 {
		e := kds.PutRecordsRequestEntry{PartitionKey: fmt.Sprint("key-", i), Data: []byte(fmt.Sprint("data ", i))}
		if i%10 == 0 {
			// Spread over the hash space: i/100 of it.
			h := new(big.Int).Lsh(big.NewInt(int64(i)), 128)
			e.ExplicitHashKey = h.Div(h, big.NewInt(100)).String()
		}
		in = append(in, e)
		w := types.PutRecordsRequestEntry{PartitionKey: aws.String(e.PartitionKey), Data: e.Data}
		if e.ExplicitHashKey != "" {
			w.ExplicitHashKey = aws.String(e.ExplicitHashKey)
		}
		wire = append(wire, w)
	}
	got, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: wire})
	if err != nil {
		t.Fatal(err)
	}
	want, err := local.PutRecords(ctx, kds.PutRecordsInput{StreamName: "s", Records: in})
	if err != nil {
		t.Fatal(err)
	}
	if *got.FailedRecordCount != 0 || got.EncryptionType != types.EncryptionTypeNone || len(got.Records) != len(in) {
		t.Fatalf("PutRecords: %d failed, encryption %q, %d results", *got.FailedRecordCount, got.EncryptionType, len(got.Records))
	}
	perShard := map[string][]string{}
	for i, r := range got.Records {
		if *r.ShardId != want.Records[i].ShardId {
			t.Errorf("record %d went to %s, the Service sends it to %s", i, *r.ShardId, want.Records[i].ShardId)
		}
		if r.ErrorCode != nil || len(*r.SequenceNumber) != 56 {
			t.Errorf("record %d: %v %v", i, r.ErrorCode, r.SequenceNumber)
		}
		perShard[*r.ShardId] = append(perShard[*r.ShardId], string(in[i].Data))
	}
	for shard, datas := range perShard {
		recs := readAll(t, c, "s", shard, types.ShardIteratorTypeTrimHorizon)
		if len(recs) != len(datas) {
			t.Fatalf("%s holds %d records, want %d", shard, len(recs), len(datas))
		}
		for i, r := range recs {
			if string(r.Data) != datas[i] {
				t.Errorf("%s record %d = %q, want %q", shard, i, r.Data, datas[i])
			}
		}
	}
}

func TestPutThrottled(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	c, svc, _ := newTestServer(t, kds.WithClock(clock), kds.WithThroughputLimits(kds.KinesisLimits()))
	createStream(t, c, "s", 1)
	ctx := context.Background()
	// 500 records of 4 KiB are about twice what a shard takes in a second.
	var entries []types.PutRecordsRequestEntry
	for i := range 500 {
		entries = append(entries, types.PutRecordsRequestEntry{PartitionKey: aws.String(fmt.Sprint(i)), Data: make([]byte, 4<<10)})
	}
	out, err := c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: entries})
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	wantMsg := "Rate exceeded for shard shardId-000000000000 in stream s under account " + svc.AccountID() + "."
	for i, r := range out.Records {
		if r.ErrorCode == nil {
			if failed > 0 || r.SequenceNumber == nil || r.ShardId == nil {
				t.Fatalf("record %d succeeded after a throttled one, or lacks its result", i)
			}
			continue
		}
		failed++
		if *r.ErrorCode != "ProvisionedThroughputExceededException" || *r.ErrorMessage != wantMsg || r.SequenceNumber != nil || r.ShardId != nil {
			t.Fatalf("record %d: %q %q %v %v", i, *r.ErrorCode, *r.ErrorMessage, r.SequenceNumber, r.ShardId)
		}
	}
	if failed == 0 || failed == len(entries) || int(*out.FailedRecordCount) != failed {
		t.Fatalf("FailedRecordCount = %d, %d entries failed of %d", *out.FailedRecordCount, failed, len(entries))
	}
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: make([]byte, 4<<10)})
	e := wantAPIError[*types.ProvisionedThroughputExceededException](t, err)
	if e.ErrorMessage() != wantMsg {
		t.Errorf("message = %q", e.ErrorMessage())
	}
	clock.Advance(2e9)
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatalf("PutRecord after the shard refilled: %v", err)
	}
}

func TestPutErrors(t *testing.T) {
	c, svc, _ := newTestServer(t)
	createStream(t, c, "s", 2)
	ctx := context.Background()
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("nope"), PartitionKey: aws.String("k"), Data: []byte("x")})
	e := wantAPIError[*types.ResourceNotFoundException](t, err)
	if want := "Stream nope under account " + svc.AccountID() + " not found."; e.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", e.ErrorMessage(), want)
	}
	_, err = c.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String("s"), Records: []types.PutRecordsRequestEntry{
		{PartitionKey: aws.String("k"), Data: []byte("x")},
		{PartitionKey: aws.String("k"), Data: []byte("x"), ExplicitHashKey: aws.String(strings.Repeat("9", 39))},
	}})
	e2 := wantAPIError[*types.InvalidArgumentException](t, err)
	if !strings.HasPrefix(e2.ErrorMessage(), "Invalid ExplicitHashKey.") {
		t.Errorf("message = %q", e2.ErrorMessage())
	}
	_, err = c.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String(""), Data: []byte("x")})
	e3 := wantAPIError[*types.ValidationException](t, err)
	if want := "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: Member must have length greater than or equal to 1"; e3.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", e3.ErrorMessage(), want)
	}
}
