package kds

import (
	"fmt"
	"testing"
)

// Benchmarks of SplitShard and MergeShards on shards holding 0, 10,000
// and 1,000,000 records of 100 bytes. A reshard copies no data, so its
// time must not grow with the records the parents hold.
//
// Every timed iteration must reshard the shards that hold the records,
// but a reshard closes them, and merging the children back would give an
// empty shard. So between iterations, outside the timer, rsReopen undoes
// the previous reshard: it drops the children and reopens the original
// shards, records and all. The stream is filled once per sub-benchmark.

// rsBenchRecords are the sub-benchmarks' record counts.
var rsBenchRecords = []int{0, 10000, 1000000}

// rsFillBench returns a stream "b" with the given number of shards that
// holds records 100-byte records with distinct partition keys, put with
// PutRecords in batches of 500.
func rsFillBench(tb testing.TB, shards, records int) *Stream {
	tb.Helper()
	s, err := NewStream("b", WithShards(shards), WithClock(NewManualClock(rsStart)))
	if err != nil {
		tb.Fatal(err)
	}
	batch := make([]PutRecordsRequestEntry, MaxPutRecordsEntries)
	for i := range batch {
		batch[i].Data = make([]byte, 100)
	}
	for put := 0; put < records; {
		n := min(len(batch), records-put)
		for i := range n {
			batch[i].PartitionKey = fmt.Sprint("pk-", put+i)
		}
		out, err := s.svc.PutRecords(rsCtx, PutRecordsInput{StreamName: "b", Records: batch[:n]})
		if err != nil || out.FailedRecordCount != 0 {
			tb.Fatalf("PutRecords: %v (%d failed)", err, out.FailedRecordCount)
		}
		put += n
	}
	return s
}

// rsReopen undoes the reshards of a stream that started with n shards:
// it forgets every later shard and reopens the first n, which keep their
// records, as if they had never been closed.
func rsReopen(s *Stream, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shards = s.shards[:n]
	for _, sh := range s.shards {
		sh.closure.Store(nil)
	}
	s.routes.Store(newRouteTable(s.shards))
}

// rsHeld returns how many records the first n shards of s hold.
func rsHeld(s *Stream, n int) int {
	held := 0
	for _, sh := range s.allShards()[:n] {
		v := sh.snapshot()
		held += int(v.end() - v.oldest())
	}
	return held
}

func rsBenchReshard(b *testing.B, shards int, reshard func(s *Stream) error) {
	for _, records := range rsBenchRecords {
		var s *Stream // filled once, reused by every run of the sub-benchmark
		b.Run(fmt.Sprint("records=", records), func(b *testing.B) {
			if s == nil {
				s = rsFillBench(b, shards, records)
			}
			b.ReportAllocs()
			for range b.N {
				b.StopTimer()
				rsReopen(s, shards)
				b.StartTimer()
				if err := reshard(s); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if held := rsHeld(s, shards); held != records || s.openShardCount() == shards {
				b.Fatalf("the resharded shards hold %d records, want %d, and %d shards are open", held, records, s.openShardCount())
			}
		})
	}
}

// BenchmarkSplitShard times SplitShard of a one-shard stream at the
// middle of its hash key range.
func BenchmarkSplitShard(b *testing.B) {
	in := SplitShardInput{StreamName: "b", ShardToSplit: shardID(0), NewStartingHashKey: rsMid(HashKeyRange{HashKey{}, MaxHashKey}).String()}
	rsBenchReshard(b, 1, func(s *Stream) error {
		_, err := s.svc.SplitShard(rsCtx, in)
		return err
	})
}

// BenchmarkMergeShards times MergeShards of the two shards of a two-shard
// stream, which share the records about equally.
func BenchmarkMergeShards(b *testing.B) {
	in := MergeShardsInput{StreamName: "b", ShardToMerge: shardID(0), AdjacentShardToMerge: shardID(1)}
	rsBenchReshard(b, 2, func(s *Stream) error {
		_, err := s.svc.MergeShards(rsCtx, in)
		return err
	})
}

// TestReshardBenchReopen checks the benchmarks' set-up: after rsReopen the
// stream reshards its original, filled shards again, with the same result
// as the first time.
func TestReshardBenchReopen(t *testing.T) {
	for _, shards := range []int{1, 2} {
		s := rsFillBench(t, shards, 1200)
		for range 3 {
			rsReopen(s, shards)
			if got := rsLatest(t, s.svc, "b"); len(got) != shards || len(rsShards(t, s.svc, "b")) != shards {
				t.Fatalf("after rsReopen: open %v", rsIDs(got))
			}
			if shards == 1 {
				rsSplit(t, s.svc, "b", shardID(0), rsMid(HashKeyRange{HashKey{}, MaxHashKey}))
			} else {
				rsMerge(t, s.svc, "b", shardID(0), shardID(1))
			}
			all := rsShards(t, s.svc, "b")
			if len(all) != 3 || rsHeld(s, shards) != 1200 {
				t.Fatalf("after the reshard: shards %v, %d records in the parents", rsIDs(all), rsHeld(s, shards))
			}
			rsCheckPartition(t, rsOpenOf(all))
			rsCheckLineage(t, all)
			n := 0
			for _, sh := range all[:shards] {
				recs, kids := rsReadShard(t, s.svc, "b", sh.ShardId, 0)
				if len(kids) != 3-shards {
					t.Fatalf("%s: ChildShards %+v", sh.ShardId, kids)
				}
				n += len(recs)
			}
			if n != 1200 {
				t.Fatalf("GetRecords reads %d records from the parents, want 1200", n)
			}
		}
	}
}
