package kds

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentWritersAndReaders runs writers (PutRecord and PutRecords)
// and followers (Stream.Records and a GetRecords loop) at once, and checks
// that every reader sees every record exactly once with each partition
// key's records in the order they were put.
func TestConcurrentWritersAndReaders(t *testing.T) {
	const (
		writers       = 6
		keysPerWriter = 5
		perKey        = 200
		total         = writers * keysPerWriter * perKey
	)
	ctx := context.Background()
	s, err := NewStream("race", WithShards(4))
	if err != nil {
		t.Fatal(err)
	}

	// Readers start before the writers so they follow live appends.
	type seen struct {
		name string
		last map[string]int
		n    int
		err  error
	}
	check := func(r *seen, key string, data []byte) {
		k, n, ok := strings.Cut(string(data), ":")
		i, convErr := strconv.Atoi(n)
		if !ok || convErr != nil || k != key {
			r.err = fmt.Errorf("%s: bad record %q under key %q", r.name, data, key)
			return
		}
		if want := r.last[key] + 1; i != want {
			r.err = fmt.Errorf("%s: key %s: got record %d after %d", r.name, key, i, r.last[key])
			return
		}
		r.last[key] = i
		r.n++
	}
	results := make([]*seen, 0, 4)
	var readers sync.WaitGroup
	for i := range 3 {
		r := &seen{name: fmt.Sprintf("Records reader %d", i), last: map[string]int{}}
		results = append(results, r)
		readers.Add(1)
		go func() {
			defer readers.Done()
			for rec, err := range s.Records(ctx, TrimHorizon()) {
				if err != nil {
					r.err = err
					return
				}
				if check(r, rec.PartitionKey, rec.Data); r.err != nil || r.n == total {
					return
				}
			}
		}()
	}
	shardReader := &seen{name: "GetRecords reader", last: map[string]int{}}
	results = append(results, shardReader)
	readers.Add(1)
	go func() {
		defer readers.Done()
		shardReader.err = drainWithGetRecords(ctx, s, total, func(rec Record) error {
			check(shardReader, rec.PartitionKey, rec.Data)
			return shardReader.err
		})
	}()

	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys := make([]string, keysPerWriter)
			for k := range keys {
				keys[k] = fmt.Sprintf("w%d-k%d", w, k)
			}
			for i := 1; i <= perKey; i++ {
				if w%2 == 0 {
					for _, k := range keys {
						if _, err := s.Put(ctx, k, fmt.Appendf(nil, "%s:%d", k, i)); err != nil {
							errs <- err
							return
						}
					}
					continue
				}
				batch := make([]PutRecordsRequestEntry, len(keys))
				for j, k := range keys {
					batch[j] = PutRecordsRequestEntry{PartitionKey: k, Data: fmt.Appendf(nil, "%s:%d", k, i)}
				}
				out, err := s.svc.PutRecords(ctx, PutRecordsInput{StreamName: s.name, Records: batch})
				if err == nil && out.FailedRecordCount != 0 {
					err = fmt.Errorf("%d records failed", out.FailedRecordCount)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	readers.Wait()
	for _, r := range results {
		if r.err != nil {
			t.Error(r.err)
		} else if r.n != total {
			t.Errorf("%s: saw %d records, want %d", r.name, r.n, total)
		}
	}
}

// drainWithGetRecords reads every shard of s through the Kinesis API until
// want records have been seen, calling fn for each.
func drainWithGetRecords(ctx context.Context, s *Stream, want int, fn func(Record) error) error {
	svc := s.svc
	var iters []string
	for _, sh := range s.allShards() {
		it, err := svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: s.name, ShardId: sh.id, ShardIteratorType: ShardIteratorTypeTrimHorizon})
		if err != nil {
			return err
		}
		iters = append(iters, it.ShardIterator)
	}
	seen := 0
	for seen < want {
		wake := s.arrived.wait()
		got := 0
		for i, it := range iters {
			page, err := svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it, Limit: 100})
			if err != nil {
				return err
			}
			for _, rec := range page.Records {
				if err := fn(rec); err != nil {
					return err
				}
			}
			got += len(page.Records)
			iters[i] = page.NextShardIterator
		}
		seen += got
		if got == 0 && seen < want {
			<-wake
		}
	}
	return nil
}

func TestRecordsEndsWithContextError(t *testing.T) {
	s, err := NewStream("s")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s.Put(ctx, "k", []byte("one"))
	var got []string
	var last error
	for rec, err := range s.Records(ctx, TrimHorizon()) {
		if err != nil {
			last = err
			break
		}
		got = append(got, string(rec.Data))
		cancel() // the follower is now waiting for more; cancel must end it
	}
	if len(got) != 1 || got[0] != "one" || !errors.Is(last, context.Canceled) {
		t.Fatalf("got %q, err %v; want [one] then context.Canceled", got, last)
	}
}

func TestRecordsEndsWhenStreamDeleted(t *testing.T) {
	ctx := context.Background()
	s, err := NewStream("s")
	if err != nil {
		t.Fatal(err)
	}
	s.Put(ctx, "k", []byte("one"))
	var last error
	n := 0
	for _, err := range s.Records(ctx, TrimHorizon()) {
		if err != nil {
			last = err
			break
		}
		n++
		if _, err := s.svc.DeleteStream(ctx, DeleteStreamInput{StreamName: "s"}); err != nil {
			t.Fatal(err)
		}
	}
	if n != 1 || !errors.Is(last, ErrResourceNotFound) {
		t.Fatalf("read %d records, ended with %v; want 1 then ResourceNotFoundException", n, last)
	}
}

func TestReplayStopsAtLatestAndStartPositions(t *testing.T) {
	ctx := context.Background()
	s, err := NewStream("s", WithShards(3))
	if err != nil {
		t.Fatal(err)
	}
	var seqs []SequenceNumber
	for i := range 10 {
		out, err := s.Put(ctx, "same-key", []byte(strconv.Itoa(i)))
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, out.SequenceNumber)
	}
	read := func(from StartPosition) []string {
		var got []string
		for rec, err := range s.Replay(ctx, from) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, string(rec.Data))
		}
		return got
	}
	tests := []struct {
		name string
		from StartPosition
		want string
	}{
		{"zero value is trim horizon", StartPosition{}, "0123456789"},
		{"trim horizon", TrimHorizon(), "0123456789"},
		{"latest", Latest(), ""},
		{"at sequence", AtSequence(seqs[4]), "456789"},
		{"after sequence", AfterSequence(seqs[4]), "56789"},
		{"after last", AfterSequence(seqs[9]), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(read(tt.from), ""); got != tt.want {
				t.Errorf("Replay(%v) = %q, want %q", tt.from, got, tt.want)
			}
		})
	}
}

func TestShardRecords(t *testing.T) {
	ctx := context.Background()
	svc, err := NewService(WithThroughputLimits(NoLimits))
	if err != nil {
		t.Fatal(err)
	}
	svc.CreateStream(ctx, CreateStreamInput{StreamName: "s", ShardCount: 1})
	s, _ := svc.Stream("s")
	var seqs []SequenceNumber
	for i := range 4 {
		out, _ := s.Put(ctx, "k", []byte(strconv.Itoa(i)))
		seqs = append(seqs, out.SequenceNumber)
	}
	read := func(shard string, from StartPosition) (string, error) {
		var got strings.Builder
		for rec, err := range s.ShardRecords(ctx, shard, from) {
			if err != nil {
				return got.String(), err
			}
			got.Write(rec.Data)
		}
		return got.String(), nil
	}
	// An open shard is followed, so split it first: then the reader ends
	// at the parent's last record.
	if _, err := svc.SplitShard(ctx, SplitShardInput{StreamName: "s", ShardToSplit: "0", NewStartingHashKey: "1000"}); err != nil {
		t.Fatal(err)
	}
	childOut, _ := s.Put(ctx, "k", []byte("child"))
	tests := []struct {
		shard string
		from  StartPosition
		want  string
		code  string
	}{
		{"shardId-000000000000", TrimHorizon(), "0123", ""},
		{"0", AfterSequence(seqs[1]), "23", ""},
		{"0", Latest(), "", ""},
		{"9", TrimHorizon(), "", codeResourceNotFound},
		{"shardId-000000000001", AtSequence(seqs[0]), "", codeInvalidArgument},
	}
	for _, tt := range tests {
		got, err := read(tt.shard, tt.from)
		var e *Error
		switch {
		case tt.code == "" && err != nil:
			t.Errorf("ShardRecords(%s, %v): %v", tt.shard, tt.from, err)
		case tt.code != "" && (!errors.As(err, &e) || e.Code != tt.code):
			t.Errorf("ShardRecords(%s, %v): %v, want %s", tt.shard, tt.from, err, tt.code)
		case got != tt.want:
			t.Errorf("ShardRecords(%s, %v) = %q, want %q", tt.shard, tt.from, got, tt.want)
		}
	}
	// A child shard is followed: it yields the new record (and would then
	// wait for more).
	var child string
	for rec, err := range s.ShardRecords(ctx, childOut.ShardId, TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		child = string(rec.Data)
		break
	}
	if child != "child" {
		t.Errorf("the child shard yielded %q, want the record put after the split", child)
	}
}
