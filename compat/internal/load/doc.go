// Package load puts load on a Kinesis stream with PutRecords and measures
// it: concurrent put loops with an optional rate limit, their counts, and
// the latency percentiles of their calls. The load tool kdsload and
// kds bench share it.
package load
