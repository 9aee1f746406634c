// Package kds is Amazon Kinesis Data Streams as an embeddable Go library:
// streams of shards, partition-key routing, sequence numbers, shard
// iterators and a retention window with replay, all inside one process.
//
// It has two faces over one engine:
//
//   - [Service] has one method per Kinesis operation (CreateStream,
//     PutRecords, GetShardIterator, GetRecords, ListShards, ...), taking
//     and returning structs whose fields carry the API's own names, with
//     Kinesis's limits, validation and error messages.
//   - [Stream] is the everyday Go face: [NewStream] makes one in a line,
//     [Stream.Put] writes, and [Stream.Records] and [Stream.Replay] read
//     with range-over-func iterators from a [StartPosition].
//
// # What is emulated
//
// Stream lifecycle (CREATING, ACTIVE, DELETING, with delays on the
// [Clock]), the account shard quota and the limit on streams being created
// at once, MD5 routing that places records exactly where AWS would,
// 56-digit sequence numbers that encode their shard and stream incarnation,
// opaque tamper-evident shard iterators that expire after five minutes,
// GetRecords limits (10,000 records, 10 MiB), the 24-hour retention window,
// per-stream maximum record size, tags, and paging of every list call.
//
// # Not yet emulated
//
// Resharding (SplitShard, MergeShards, UpdateShardCount), throughput limits
// and on-demand scaling, retention changes, enhanced fan-out consumers,
// encryption, enhanced monitoring, resource policies and the wire server
// are separate pieces of work; until they land their operations do not
// exist here.
//
// # Time
//
// Everything reads time from the [Clock] given with [WithClock]. A
// [ManualClock] makes a run deterministic: iterator expiry, retention and
// status delays all move only when the clock does.
//
// # Concurrency
//
// Every type is safe for concurrent use. Each shard has one writer at a
// time; readers never wait for writers, because records live in
// append-only segments that never change once published.
package kds
