// Package agent tails log files into a stream, as the Amazon Kinesis Agent
// does: it follows the files a glob matches, cuts them into records,
// optionally converts the records, and hands them to a [Sink] — a kds
// stream through [StreamSink], or a [kds.Producer] (batching, KPL
// aggregation, retries) through [ProducerSink]. It keeps a checkpoint per file so a restarted agent carries
// on where the last one stopped, and it follows log rotation.
//
// One [Agent] is one flow of the Kinesis Agent: one file pattern, one
// sink, one checkpoint file. [Config] names its fields after the agent's
// flow options (filePattern, partitionKeyOption, initialPosition,
// skipHeaderLines, multiLineStartPattern, truncatedRecordTerminator,
// dataProcessingOptions, retry backoffs).
//
// # Records
//
// A record is one line, newline included, as the Kinesis Agent sends it;
// with MultiLineStartPattern it is a line matching the pattern and the
// lines after it up to the next match. A record whose end has not been
// seen — a last line without its newline, or the last multi-line record,
// which only the next start line closes — is held until it is complete or
// has waited IncompleteRecordTimeout (5 s by default) without growing;
// then it is sent as it is. (The Java agent sends the last multi-line
// record as soon as it reaches the end of the file.)
//
// The first SkipHeaderLines lines of each file are not sent. Conversions
// (DataProcessingOptions) run in order on each record:
//   - SINGLELINE trims every line of the record and joins them, with one
//     newline at the end;
//   - CSVTOJSON maps the columns onto CustomFieldNames: a missing column
//     is null, extra columns are left out, Delimiter is a plain string
//     (default ",");
//   - LOGTOJSON parses COMMONAPACHELOG, COMBINEDAPACHELOG, APACHEERRORLOG,
//     SYSLOG (RFC 3164) or RFC3339SYSLOG lines with the agent's patterns
//     and field names ("-" in Apache logs is null), or a MatchPattern of
//     one's own with CustomFieldNames. A record the pattern does not match
//     is dropped, as the agent drops it; [Stats] counts it.
//
// The JSON objects keep the fields' order and end with a newline. A
// record whose partition key and data exceed MaxRecordBytes (1 MiB) is
// cut to fit, its last bytes replaced by TruncatedRecordTerminator ("\n");
// a line that exceeds the limit before conversion keeps its first
// MaxRecordBytes bytes and the rest of it (for multi-line records, the
// rest of the record) is skipped.
//
// Partition keys are random decimal numbers below 1,000,000 by default;
// DETERMINISTIC uses the hex MD5 of the record; PartitionKey fixes one;
// PartitionKeyFunc derives one from the record.
//
// # Files, identity and rotation
//
// The agent polls: every PollInterval (100 ms) on its Clock, [Agent.Run]
// calls [Agent.Poll], which matches the pattern and reads what is new in
// every file. Tests and simulations call Poll themselves.
//
// A file is known by its device and inode numbers, not its name, and by a
// fingerprint: a hash of its first bytes (up to [FingerprintBytes]). So:
//   - Rename and create: when the pattern no longer matches a file (it was
//     renamed away, or deleted), the agent reads it to its end through the
//     handle it holds, polls it once more for late writes, sends its last
//     incomplete record and closes it. The new file at the old name is new
//     to the agent and is read from its start. If the pattern matches the
//     rotated names too (app.log*), the renamed file is simply the same
//     file under another name.
//   - Truncation (copy-truncate): a file shorter than what was read, or
//     whose first bytes changed, was truncated; it is read again from its
//     start (skipping its header lines again). If the pattern matches the
//     copy, the copy is recognised by its fingerprint (it starts with the
//     same FingerprintBytes bytes as the file being followed); it is held,
//     unread, until the original is truncated or gone, and then carries
//     on from where the original had got to, so the lines written between
//     the last poll and the copy are sent once, from the copy. Files
//     shorter than FingerprintBytes are never taken for copies: a copy of
//     a short file is read from its start, and its lines are sent again.
//     If the copy is not matched, the lines written after the last poll
//     and before the truncation are lost, as they are to any tailer.
//   - Files are read from their start, except those found by the first poll
//     of an agent without a checkpoint file, which start at
//     InitialPosition (END_OF_FILE by default, as in the Kinesis Agent).
//
// # Delivery and checkpoints
//
// Records are handed to the sink in file order. A record the sink fails
// (done with an error, or Send refusing it) is reported to OnError and
// sent again after a backoff that doubles from RetryInitialBackoff
// (100 ms) to RetryMaxBackoff (10 s), for as long as the agent runs; a
// retried record may land after records that followed it in the file.
// Reading pauses while MaxInFlightBytes of records await confirmation.
//
// The checkpoint file (CheckpointFile) records, per file, its identity
// and the offset before which every record is confirmed stored; it is
// written atomically (a temporary file renamed over it) at most every
// CheckpointInterval (1 s) during polls, and by [Agent.Close]. It never
// runs ahead of the sink: a record is counted only once its done call
// reported success, and only when every record before it in the file is
// confirmed too. A new agent resumes each file at its checkpoint if the
// file still has the same identity and first bytes, and is at least that
// long.
//
// So delivery is at least once. After a crash, a restarted agent sends
// again the records after the last checkpoint write: those confirmed
// since (at most CheckpointInterval's worth), those still in flight, and
// those waiting to be retried. After [Agent.Close] only the records the
// sink's Flush did not confirm are sent again. Nothing confirmed is lost,
// except data that disappears from disk before the agent reads it (a
// file deleted or truncated, a rotated file the pattern does not match,
// while the agent is down or between two polls).
//
// # Not emulated
//
// Several flows in one agent (run one Agent per flow), Firehose delivery
// streams, fileFooterPattern, ADDMETADATA, ADDEC2METADATA, ADDBRACKETS,
// the agent's own batching (the sink batches), CloudWatch metrics (see
// [Agent.Stats]) and the SQLite checkpoint database (a JSON file instead).
// Patterns use Go's RE2 syntax, not Java's, and "**" in file patterns is
// not supported. Off Unix, files are known by name only.
package agent
