package kds

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// A Service opened again on its data directory has what the one before it
// had: its streams as they were (shards, consumers, tags, encryption),
// their records, and its tokens, which go on working.
func TestStoreMetaDataDirReopened(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	clock := NewManualClock(smStart)
	open := func() *Service {
		t.Helper()
		svc, err := NewService(WithDataDir(dir), WithClock(clock), WithThroughputLimits(NoLimits))
		if err != nil {
			t.Fatalf("NewService: %v", err)
		}
		return svc
	}
	svc := open()
	if _, err := svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 2, Tags: map[string]string{"env": "test"}}); err != nil {
		t.Fatal(err)
	}
	put := func(svc *Service, data string) PutRecordOutput {
		t.Helper()
		out, err := svc.PutRecord(ctx, PutRecordInput{StreamName: "s", PartitionKey: data, Data: []byte(data)})
		if err != nil {
			t.Fatalf("PutRecord: %v", err)
		}
		return out
	}
	for _, d := range []string{"a", "b", "c"} {
		put(svc, d)
	}
	if _, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: "0", NewStartingHashKey: "1000"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.StartStreamEncryption(ctx, StartStreamEncryptionInput{StreamName: "s", EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.RegisterStreamConsumer(ctx, RegisterStreamConsumerInput{StreamARN: svc.streamARN("s"), ConsumerName: "c"}); err != nil {
		t.Fatal(err)
	}
	last := put(svc, "encrypted")
	tok := smIssueTokens(t, svc)
	want, wantAnswers := smViewOf(t, svc), smAnswers(t, svc, tok)
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}

	svc = open()
	defer svc.Close()
	if p := svc.restoreProblems; len(p) > 0 {
		t.Errorf("restore problems: %+v", p)
	}
	if got := smViewOf(t, svc); !reflect.DeepEqual(got, want) {
		t.Errorf("reopened Service answers\n%s\nbefore\n%s", smJSON(t, got), smJSON(t, want))
	}
	if got := smAnswers(t, svc, tok); !reflect.DeepEqual(got, wantAnswers) {
		t.Errorf("reopened Service answers the tokens with\n%v\nbefore with\n%v", got, wantAnswers)
	}
	var data []string
	for key, it := range tok.iterators {
		out, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it})
		if err != nil {
			t.Fatalf("GetRecords(%s): %v", key, err)
		}
		for _, r := range out.Records {
			data = append(data, string(r.Data))
		}
	}
	if len(data) != 4 {
		t.Errorf("records read back after reopening: %q, want a, b, c and encrypted", data)
	}
	clock.Advance(time.Second)
	next := put(svc, "after")
	if next.ShardId == last.ShardId && next.SequenceNumber.Compare(last.SequenceNumber) <= 0 {
		t.Errorf("after reopening, sequence number %s follows %s", next.SequenceNumber, last.SequenceNumber)
	}

	s, err := NewStream("s", WithDataDir(t.TempDir()), WithShards(3))
	if err != nil {
		t.Fatal(err)
	}
	sdir := s.svc.cfg.dataDir
	s.svc.Close()
	s, err = NewStream("s", WithDataDir(sdir), WithShards(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.svc.Close()
	if n := s.openShardCount(); n != 3 {
		t.Errorf("NewStream on a directory holding the stream: %d shards, want its 3", n)
	}
}
