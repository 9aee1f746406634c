// Package trigger invokes a function with batches of a Kinesis stream's
// records as an AWS Lambda event source mapping does: same event and
// response shapes, same knobs (names, ranges, defaults), same retry and
// ordering rules. A handler written for Lambda's Kinesis events runs
// unchanged against a kds stream (compat/lambdaadapter converts to and
// from the aws-lambda-go events types), and a [Mapping] built on
// consumergroup reads through a consumergroup.Client, so it can also read
// a stream on AWS through compat/awsadapter.
//
// # Reading
//
// A [Mapping] is a consumer group worker (package consumergroup) whose
// group is named after the function and the stream: the shards are
// leased, checkpointed in the CheckpointStore, shared with other workers
// of the same mapping, and a shard's children are read only once its
// parents are finished, so a partition key's records are handled in
// order across splits and merges. Each shard is polled about once a
// second with GetRecords. StartingPosition applies to shards without a
// checkpoint. KPL aggregates reach the handler as the user records they
// hold (consumergroup de-aggregates them); the user records of one
// aggregate share its sequence number. Lambda itself passes aggregates
// on as they are and leaves de-aggregation to the function; a function
// that de-aggregates with the usual libraries gets the same records
// either way, since they pass plain records through. But BatchSize
// counts user records here, where Lambda counts Kinesis records (an
// aggregate counts once there), so a batch of aggregated records holds
// fewer user records than Lambda's would.
//
// # Batches
//
// A shard's records are spread over ParallelizationFactor lanes by a
// hash of their partition key, so one key's records always go to the same
// lane, in shard order. Each lane invokes the handler with one batch at
// a time; the lanes of a shard, and the shards, run concurrently. A batch
// takes up to BatchSize records of its lane, and stops before the JSON
// of its event (the records, and with a tumbling window the window and
// its state) would pass [MaxPayloadBytes] (Lambda's 6 MB payload limit). With MaximumBatchingWindowInSeconds, a batch short of BatchSize
// (and of the payload limit) is invoked only once that many seconds have
// passed since its first record was read; without, it is invoked at once
// with what the lane holds.
//
// # Failures
//
// A batch fails when the handler returns an error or panics, or, with
// [ReportBatchItemFailures], when its response names failed records
// (BatchItemFailures): the records before the lowest-numbered one named
// count as processed and the batch goes on from it. A named
// ItemIdentifier that is empty or not in the batch fails the whole
// batch; an empty list is a success. Without ReportBatchItemFailures the
// list is ignored.
//
// A failing batch blocks its lane: nothing after it is invoked until it
// succeeds, or is discarded because its records grew older than
// MaximumRecordAgeInSeconds (checked before every invocation: the
// expired records are discarded, the others invoked) or because it used
// MaximumRetryAttempts retries. A discarded batch is reported to
// DestinationConfig.OnFailure as an [OnFailureRecord] shaped as Lambda's
// (shard, first and last sequence numbers and arrival times, size,
// condition, approximate invoke count, stream ARN), and the lane moves
// on. Retries wait 1 s, doubling up to a minute (Lambda does not document
// its pacing).
//
// Retries are counted per batch, as follows. Without
// BisectBatchOnFunctionError, every failed invocation (a partial failure
// included) uses one retry of the batch that is left. With it, a batch of
// two or more records that fails as a whole is split into halves, and a
// partial failure splits the batch at the failed record; a split uses no
// retry, the halves inherit the retries already used, and the first half
// is finished (succeeded or discarded) before the second starts. A
// one-record batch that fails uses a retry. So a single bad record is
// invoked alone 1+MaximumRetryAttempts times before it is discarded, and
// the good records around it are processed once. The approximate invoke
// count of an on-failure record counts the invocations of the discarded
// records, with the larger batches they were part of.
//
// A shard's checkpoint moves after each batch to the last record before
// which every record of the shard is done (processed or discarded), so
// under parallelization it waits for the slowest lane. After a restart
// or a change of owner the records after it are invoked again: delivery
// is at least once. When Run's context ends, no new invocation starts,
// those under way finish (their context is canceled) and their
// successes are checkpointed; a batch that failed then is left for the
// next owner without using a retry.
//
// # Tumbling windows
//
// With TumblingWindowInSeconds, records fall into windows of that many
// seconds, aligned on the Unix epoch, by their arrival time. A batch
// holds records of one window only; the event carries the window, the
// shard ID and the state the previous invocation of the window returned
// (empty at first), and the response's State is the state from then on
// (a failed invocation keeps the old one). As in Lambda, every response
// of a windowed mapping must carry a state: one whose State is nil fails
// the invocation like an error, and is retried as such; return an empty
// map for an empty state. When the window is over — a
// later record comes next in the lane, a later record has been read from
// the shard, the shard has ended, or, with the shard caught up, two
// minutes have passed since the window's end — the handler gets a final
// invocation with no records, IsFinalInvokeForWindow and the final
// state. A window's records are checkpointed only then, since its state
// lives in memory: after a restart the window starts again from its first
// unprocessed record with an empty state. A state whose JSON passes
// [MaxWindowStateBytes] ends the window early: a final invocation with
// IsWindowTerminatedEarly, after which the window goes on with an empty
// state. Windows are per lane, so with ParallelizationFactor above 1
// each lane of a shard has its own.
//
// AWS says tumbling windows support MaximumRetryAttempts and
// MaximumRecordAgeInSeconds without saying how they apply to the final
// invocation, which has no records of its own; kds reads them as
// follows. A failing final invocation blocks its lane and is retried with
// a batch's backoff. It is given up after MaximumRetryAttempts retries
// (RetryAttemptsExhausted), or when, before a retry, every record of the
// window (of the lane, since the window began or was last ended early)
// is older than MaximumRecordAgeInSeconds (RecordAgeExceeded); the age
// is not checked before the first attempt, which comes after the window's
// end and so often after its first records' age limit. Given up, the
// window is reported to DestinationConfig.OnFailure as a batch would be:
// an [OnFailureRecord] whose KinesisBatchInfo spans the window's records
// and whose ApproximateInvokeCount counts the final invocations. Its
// state is dropped, its records are checkpointed, and the lane goes on.
//
// # Not implemented
//
// Enhanced fan-out (an EventSourceArn naming a consumer is refused with
// [ErrEnhancedFanOut]), FilterCriteria, the Enabled switch, and
// invocation limits of the function itself (timeout, concurrency).
//
// Time is read only through Config.Clock, so a mapping runs on a
// [kds.ManualClock] or in a testing/synctest bubble; the stream should
// use the same clock, since record ages and windows compare its arrival
// times with it.
package trigger
