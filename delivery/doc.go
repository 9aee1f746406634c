// Package delivery is a Firehose-like delivery stream: it reads a
// Kinesis stream, optionally transforms the records, buffers them, and
// delivers each buffer to a [Destination] — a local directory laid out
// like Firehose's S3 objects, or an HTTP endpoint spoken to with
// Firehose's request and response contract — with at-least-once
// delivery and checkpoints.
//
// It is built on [consumergroup]: a [DeliveryStream] runs a consumer
// group worker (group DeliveryStreamName) whose Processors feed the
// buffers, so it reads a [*kds.Service] in process or Kinesis itself
// through compat/awsadapter, with leases and checkpoints in any
// [consumergroup.CheckpointStore]. Like Firehose it starts at LATEST
// unless told otherwise, and reads each shard once a second.
//
// # Records, step by step
//
//  1. A shard's Processor gets a batch from GetRecords (KPL aggregates
//     already split into user records).
//  2. Transform, if set, gets the batch in calls of at most
//     TransformBufferSizeInMBs (default 1 MiB; or the buffer size, if
//     smaller) with Firehose's data-transformation contract
//     ([TransformFunc]): each record is Ok (new data), Dropped or
//     ProcessingFailed.
//  3. With dynamic partitioning, each kept record's partition key values
//     are taken from it; they choose its buffer.
//  4. RecordDelimiter is appended, and the record joins its partition's
//     open buffer.
//  5. A buffer is sealed when it holds BufferingHints.SizeInMBs MiB
//     (counting data as delivered, before compression) or when
//     IntervalInSeconds have passed on the Clock since its first record
//     was buffered — whichever comes first, never before either (0 s
//     delivers what each read brought, at once; not allowed with dynamic
//     partitioning, as in Firehose). Then it is delivered, one
//     buffer at a time, in the order sealed.
//  6. Records that fail (processing-failed, partitioning-failed, or a
//     batch the destination gives up on, e.g. http-endpoint-failed) are
//     written to Config.ErrorOutput as JSON lines ([ErrorRecord]).
//
// # Checkpoints and at-least-once delivery
//
// A record is done when the object holding it is delivered (or the error
// output object holding it is written), or when the transform dropped it.
// A shard's checkpoint moves to the last record of the run of done
// records at its front, right after each delivery, so it never passes a
// record that is only buffered. When Run's context ends, the buffers are
// abandoned, not flushed: the next run (another process, the same
// Store) reads again exactly the records after the checkpoints — those
// that were buffered, and any delivered in the moment between a delivery
// and its checkpoint. A shard that ends (after a split or merge) is
// checkpointed SHARD_END only once all its records are delivered, so its
// children's records come after its own, per partition key.
//
// A Destination error other than [*DeliveryFailedError] is retried with
// backoff on the Clock (1 s doubling to 2 min) until it succeeds or the
// stream stops, as Firehose retries S3; the shards meanwhile stop taking
// new records once a few sealed buffers wait.
//
// # Object keys
//
// Objects are named as Firehose names S3 objects: the evaluated Prefix,
// then <DeliveryStreamName>-<DeliveryStreamVersion>-<yyyy-MM-dd-HH-mm-ss>-<UUID>
// (".gz" added by a GZIP [DirectoryDestination]). The timestamp of an
// object is, as Firehose documents, the approximate arrival timestamp of
// the oldest record in it (when the Kinesis stream accepted it), in UTC;
// it fills both the name and the prefix's timestamp expressions, so a
// record delivered again after a restart lands in the same hour folder.
//
// A Prefix with no expressions at all gets yyyy/MM/dd/HH/ appended, so
// the default (empty) Prefix gives 2026/03/01/12/orders-1-2026-03-01-12-00-00-<UUID>.
// An empty ErrorOutputPrefix means Prefix, the error output type, "/" and
// yyyy/MM/dd/HH/ (processing-failed/2026/03/01/12/ for an empty Prefix);
// it requires a Prefix without expressions. A non-empty
// ErrorOutputPrefix is used as it is, with nothing appended.
//
// Expressions, !{namespace:value}; any other "!{" is an error:
//   - !{timestamp:pattern}: the object's timestamp in a subset of Java
//     DateTimeFormatter patterns: y, yy, yyyy, M, MM, d, dd, H, HH, m, mm,
//     s, ss, other characters as they are, 'quoted text'. Month names,
//     weeks, zones and the like are rejected.
//   - !{firehose:random-string}: 11 random characters, new at each use.
//   - !{firehose:error-output-type}: processing-failed,
//     partitioning-failed or http-endpoint-failed; only in
//     ErrorOutputPrefix, which must contain it if it has any expression.
//   - !{partitionKeyFromQuery:key}: the record's value of
//     DynamicPartitioning.MetadataExtractionQuery[key].
//   - !{partitionKeyFromLambda:key}: the value the Transform returned in
//     Metadata.PartitionKeys[key].
//   - !{kinesis:partition-key}: the record's Kinesis partition key. This
//     one is kds's own; with Firehose, a transform would return it as a
//     partitionKeyFromLambda key.
//
// Partition keys need DynamicPartitioning.Enabled, which in turn needs an
// ErrorOutputPrefix and a Prefix using at least one key. A record whose
// value cannot be found (data not JSON, field missing, null or not a
// scalar, no such key from the transform) or would not make one path
// segment (empty, ".", "..", or holding "/", "\" or NUL) goes to the
// error output as partitioning-failed with error code
// DynamicPartitioning.MetadataExtractionFailed. Queries are jq paths:
// .a, .a.b, ."a b", .a["b"]; numbers are used as written in the record.
//
// # Not implemented
//
// Firehose's other destinations, record format conversion, ZIP and
// Snappy compression, CustomTimeZone, FileExtension, source record
// backup and S3BackupMode AllData, the transform's NumberOfRetries (fixed
// at 3) and BufferIntervalInSeconds (each read is transformed at once),
// multi-record deaggregation, the 500-active-partitions limit, the
// 512-character prefix limit, Firehose's dynamic raising of the buffer
// size when delivery falls behind, and parallel deliveries.
//
// Time is read only through Config.Clock, so a delivery stream runs on a
// [kds.ManualClock] (with the Service and destinations on the same
// clock) or inside a testing/synctest bubble.
package delivery
