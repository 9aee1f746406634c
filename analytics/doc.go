// Package analytics computes windowed aggregates over the records of a
// Kinesis stream, in the manner of Kinesis Data Analytics for Apache Flink:
// event-time windows per key, watermarks with bounded out-of-orderness,
// allowed lateness, and results to a function or to another stream.
//
//	w, err := analytics.New(analytics.Count(), analytics.Tumbling(time.Minute),
//		analytics.Func(func(o analytics.Output[int64]) { fmt.Println(o.Key, o.Window, o.Result) }),
//		analytics.WithOutOfOrderness(5*time.Second), analytics.WithIdleTimeout(30*time.Second))
//	err = w.Run(ctx, consumergroup.Config{ApplicationName: "counts", StreamName: "clicks", Client: svc, Store: store})
//
// # Windows
//
// A record has an event time (its ApproximateArrivalTimestamp, or what
// [WithEventTime] reads from it) and a key (its partition key, or what
// [WithKey] says). [Tumbling] and [Sliding] windows are half-open
// intervals [Start, End) aligned to the Unix epoch; a record belongs to
// every window holding its event time. [Session] windows are per key: a
// record opens [t, t+gap), and windows that overlap or touch merge, so a
// record within the gap of two sessions joins them into one. Each key and
// window has an accumulator built by an [Aggregator]; [Count], [Sum],
// [Min], [Max] and [Avg] are ready-made.
//
// # Watermark
//
// The watermark W is the event time up to which the input is taken to be
// complete. Every input (each shard under [Windows.Run]; all records of
// [Windows.Add] together) has its own: its latest event time less the
// out-of-orderness bound ([WithOutOfOrderness]). With an idle timeout
// ([WithIdleTimeout]), an input that has received nothing for that long
// on the Clock counts as if event time went on passing as the Clock does:
// its latest event time plus the time since its last record, less the
// bound. W is the minimum over the inputs, never moving back; an input
// that has had no record yet holds W where it is until it becomes idle,
// when it stops counting. So with several shards and no idle timeout, a
// shard that gets no records holds every window open. A shard that ends
// keeps counting, at its last watermark (and as idle once the timeout
// passes), until all its children have started, so that records of the
// children are not late for the parent's windows. W moves when a record
// arrives (after that record has been placed) and on [Windows.Tick].
//
// # Firing and lateness
//
// These are Flink's event-time trigger rules with allowed lateness L
// ([WithAllowedLateness]):
//   - A window fires when W reaches its End: its result is emitted once,
//     Update false. Windows fire in order of End, then key, then Start.
//   - A record whose window has not fired is added to it, even if the
//     record's time is behind W (out of order within the bound, or behind
//     it but with its window still open).
//   - A record for a window that has fired but where W < End + L is
//     added, and the window's result is emitted again at once with Update
//     true. A record that creates a window with W already past its End
//     (but before End + L) fires it at once, Update false.
//   - When W reaches End + L the window's state is dropped. A record
//     whose every window is past that point is late: it goes to the late
//     handler ([WithLateHandler]) and counts in Stats.Late. A sliding
//     window record that is late for some of its windows only is added to
//     the others.
//   - Session windows: a record that joins sessions one of which has
//     fired makes the merged session's next result an update (it
//     supersedes the earlier results of the sessions it covers); it is
//     emitted at once if W has passed the merged End, otherwise when it
//     does.
//
// [Windows.Close] moves W past every window, firing all of them.
//
// # Errors
//
// Bad records never panic: a record whose event time cannot be read, or
// is outside the years 1824 to 2116, or whose aggregate Add fails, is
// handed to the error handler ([WithErrorHandler]) as a [*RecordError]
// and counts in no window. The sink's, the checkpoints' and ListShards'
// errors go there too.
//
// # Output
//
// Results go to a [Sink]: [Func] calls a function, [ToStream] writes JSON
// to another stream through a [*kds.Producer]. The sink and the handlers
// are called in order, one at a time, with no lock held; so are the key
// and event time functions, before a record is placed. The aggregator's
// functions are called under the Windows' lock.
//
// # Checkpoints and restarts
//
// [Windows.Run] keeps window state in memory only. It checkpoints a shard
// after a record only when (a) no open window holds a record of the shard
// at or before it, and (b) no dropped window holds records of the shard on
// both sides of it, and only after flushing the sink. After a restart the
// shard is read again from there, so every window that was open is
// rebuilt from all of its records, and a window dropped before the
// restart is rebuilt from all of its records or from none. The results
// are therefore at least once:
//   - a window that had fired but was within its allowed lateness fires
//     again after a restart, Update false, normally with the same result;
//   - a window rebuilt wholly from records after the checkpoint (its
//     records were re-read because an earlier window held the checkpoint
//     back) fires again, with the same result unless the order of records
//     across shards, and so W, came out differently;
//   - records that were late before the restart are judged again and may
//     count this time.
//
// The state held is the open windows' accumulators plus, per shard, 32
// bytes for each record since its last checkpoint.
//
// Limits: when a shard ends its children must start, so SHARD_END is
// checkpointed at once; the records of an ended shard that open windows
// still need are not read again after a restart, and those windows come
// back without them. The group should have a single worker: keys are not
// partitioned among workers, and a lease lost and taken back re-reads
// records already counted. Graceful shutdown (ctx ending) does not fire
// the open windows; a restart rebuilds them.
package analytics
