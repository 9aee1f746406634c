package kds

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"
)

// benchBatch is the PutRecords request of the benchmarks: 500 records of
// 100 data bytes with distinct partition keys.
func benchBatch() []PutRecordsRequestEntry {
	batch := make([]PutRecordsRequestEntry, MaxPutRecordsEntries)
	for i := range batch {
		data := make([]byte, 100)
		for j := range data {
			data[j] = byte(i + j)
		}
		batch[i] = PutRecordsRequestEntry{PartitionKey: fmt.Sprintf("partition-key-%d", i), Data: data}
	}
	return batch
}

// benchResetEvery bounds how much a benchmark stores: after this many
// batches (about a million records) it starts over with a fresh stream or
// slice, outside the timer.
const benchResetEvery = 2000

func newBenchStream(b *testing.B, shards int) *Stream {
	b.Helper()
	s, err := NewStream("bench", WithShards(shards))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// encryptBenchStream turns server-side encryption on for s, under the
// AWS managed key of its Service's own KeyService.
func encryptBenchStream(b *testing.B, s *Stream) {
	b.Helper()
	_, err := s.svc.StartStreamEncryption(context.Background(), StartStreamEncryptionInput{StreamName: s.name, EncryptionType: EncryptionKMS, KeyId: AWSManagedKeyAlias})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPutRecords measures PutRecords of 500 x 100-byte records into
// one shard with Kinesis (MD5) routing.
func BenchmarkPutRecords(b *testing.B) { benchPutRecords(b, 1, false) }

// BenchmarkPutRecordsFourShards is BenchmarkPutRecords into a stream of
// four shards, where every record's partition key is hashed with MD5 to
// pick its shard.
func BenchmarkPutRecordsFourShards(b *testing.B) { benchPutRecords(b, 4, false) }

// BenchmarkPutRecordsEncrypted is BenchmarkPutRecords into a stream with
// server-side encryption on: every record is sealed with AES-256-GCM.
func BenchmarkPutRecordsEncrypted(b *testing.B) { benchPutRecords(b, 1, true) }

// benchPutRecords puts benchBatch into a stream of the given shard count,
// encrypted or not, starting over with a fresh stream every
// benchResetEvery batches.
func benchPutRecords(b *testing.B, shards int, encrypt bool) {
	benchPutBatches(b, func() *Stream {
		s := newBenchStream(b, shards)
		if encrypt {
			encryptBenchStream(b, s)
		}
		return s
	})
}

// benchPutBatches puts benchBatch into the stream "bench" that fresh
// returns, and calls fresh again, outside the timer, every
// benchResetEvery batches.
func benchPutBatches(b *testing.B, fresh func() *Stream) {
	ctx := context.Background()
	batch := benchBatch()
	s := fresh()
	in := PutRecordsInput{StreamName: "bench", Records: batch}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i++; i%benchResetEvery == 0 {
			b.StopTimer()
			s = fresh()
			b.StartTimer()
		}
		if _, err := s.svc.PutRecords(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBaselineAppend is the yardstick for BenchmarkPutRecords: the
// same records copied and appended to a plain [][]byte, the least any
// store must do.
func BenchmarkBaselineAppend(b *testing.B) {
	batch := benchBatch()
	var store [][]byte
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i++; i%benchResetEvery == 0 {
			store = nil
		}
		for _, r := range batch {
			rec := make([]byte, len(r.PartitionKey)+len(r.Data))
			copy(rec[copy(rec, r.PartitionKey):], r.Data)
			store = append(store, rec)
		}
	}
	b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPutRecord measures one PutRecord call (100-byte record).
func BenchmarkPutRecord(b *testing.B) { benchPutRecord(b, (*Service).PutRecord) }

// benchPutRecord measures put storing a 100-byte record.
func benchPutRecord(b *testing.B, put func(*Service, context.Context, PutRecordInput) (PutRecordOutput, error)) {
	ctx := context.Background()
	s := newBenchStream(b, 1)
	in := PutRecordInput{StreamName: "bench", PartitionKey: "partition-key-1", Data: make([]byte, 100)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i++; i%(benchResetEvery*MaxPutRecordsEntries) == 0 {
			b.StopTimer()
			s = newBenchStream(b, 1)
			b.StartTimer()
		}
		if _, err := put(s.svc, ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOperationSeam measures what the seam that access control and
// the audit trail hook into costs a PutRecord when neither is configured:
// the operation's body called directly against the public method. Run
// with -count to interleave the two.
func BenchmarkOperationSeam(b *testing.B) {
	b.Run("body", func(b *testing.B) { benchPutRecord(b, (*Service).putRecord) })
	b.Run("seam", func(b *testing.B) { benchPutRecord(b, (*Service).PutRecord) })
}

// BenchmarkStreamPut measures the Go-native Stream.Put (100-byte record).
func BenchmarkStreamPut(b *testing.B) {
	ctx := context.Background()
	s := newBenchStream(b, 1)
	data := make([]byte, 100)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if i++; i%(benchResetEvery*MaxPutRecordsEntries) == 0 {
			b.StopTimer()
			s = newBenchStream(b, 1)
			b.StartTimer()
		}
		if _, err := s.Put(ctx, "partition-key-1", data); err != nil {
			b.Fatal(err)
		}
	}
}

// fillBenchStream puts n batches of benchBatch into a one-shard stream,
// encrypted or not.
func fillBenchStream(b *testing.B, batches int, encrypt bool) *Stream {
	b.Helper()
	s := newBenchStream(b, 1)
	if encrypt {
		encryptBenchStream(b, s)
	}
	in := PutRecordsInput{StreamName: "bench", Records: benchBatch()}
	for range batches {
		if _, err := s.svc.PutRecords(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkGetRecords measures draining a shard of 1,000,000 records
// with GetRecords pages of 10,000, starting over at the end.
func BenchmarkGetRecords(b *testing.B) { benchGetRecords(b, false) }

// BenchmarkGetRecordsEncrypted is BenchmarkGetRecords of records stored
// encrypted: every record is opened (AES-256-GCM) into a new buffer.
func BenchmarkGetRecordsEncrypted(b *testing.B) { benchGetRecords(b, true) }

func benchGetRecords(b *testing.B, encrypted bool) {
	ctx := context.Background()
	s := fillBenchStream(b, benchResetEvery, encrypted)
	start, err := s.svc.GetShardIterator(ctx, GetShardIteratorInput{StreamName: "bench", ShardId: "0", ShardIteratorType: ShardIteratorTypeTrimHorizon})
	if err != nil {
		b.Fatal(err)
	}
	it := start.ShardIterator
	records := 0
	b.ReportAllocs()
	for b.Loop() {
		page, err := s.svc.GetRecords(ctx, GetRecordsInput{ShardIterator: it, Limit: MaxGetRecordsLimit})
		if err != nil {
			b.Fatal(err)
		}
		records += len(page.Records)
		it = page.NextShardIterator
		if len(page.Records) == 0 {
			it = start.ShardIterator
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkBaselineReadPage is the yardstick for BenchmarkGetRecords:
// taking pages of 10,000 records out of a plain [][]byte into a new slice.
func BenchmarkBaselineReadPage(b *testing.B) {
	var store [][]byte
	for _, r := range benchBatch() {
		store = append(store, append([]byte(r.PartitionKey), r.Data...))
	}
	for len(store) < 1_000_000 {
		store = append(store, store[:min(len(store), 1_000_000-len(store))]...)
	}
	pos, records := 0, 0
	b.ReportAllocs()
	for b.Loop() {
		if pos == len(store) {
			pos = 0
		}
		end := min(pos+MaxGetRecordsLimit, len(store))
		page := append(make([][]byte, 0, end-pos), store[pos:end]...)
		records += len(page)
		pos = end
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkStoredRecordOverhead measures the memory a stored record costs
// beyond its partition key and data bytes, as retained heap after GC. It
// reports overhead-B/record; ns/op is meaningless here.
func BenchmarkStoredRecordOverhead(b *testing.B) {
	const batches = 1000 // 500,000 records
	batch := benchBatch()
	payload := 0
	for _, r := range batch {
		payload += len(r.PartitionKey) + len(r.Data)
	}
	var overhead float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := fillBenchStream(b, batches, false)
		runtime.GC()
		runtime.ReadMemStats(&after)
		records := batches * len(batch)
		overhead = (float64(after.HeapAlloc) - float64(before.HeapAlloc) - float64(batches*payload)) / float64(records)
		runtime.KeepAlive(s)
	}
	b.ReportMetric(overhead, "overhead-B/record")
}

// BenchmarkFollowLatency measures put-to-delivery latency of a following
// reader in the same process: the benchmark goroutine puts one record and
// waits until a goroutine ranging over Stream.ShardRecords has received it.
// It reports the 50th and 99th percentiles.
func BenchmarkFollowLatency(b *testing.B) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := newBenchStream(b, 1)
	got := make(chan time.Time, 1)
	go func() {
		for _, err := range s.ShardRecords(ctx, "0", TrimHorizon()) {
			if err != nil {
				return
			}
			got <- time.Now()
		}
	}()
	data := make([]byte, 100)
	// Let the follower reach its wait before measuring.
	s.Put(ctx, "k", data)
	<-got
	lat := make([]time.Duration, 0, b.N)
	for b.Loop() {
		start := time.Now()
		if _, err := s.Put(ctx, "k", data); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, (<-got).Sub(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkReplayShard measures replaying a 1,000,000-record shard
// through Stream.Replay.
func BenchmarkReplayShard(b *testing.B) {
	ctx := context.Background()
	s := fillBenchStream(b, benchResetEvery, false)
	records := 0
	for b.Loop() {
		for _, err := range s.Replay(ctx, TrimHorizon()) {
			if err != nil {
				b.Fatal(err)
			}
			records++
		}
	}
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
}
