// Package testfake is an example of application code written against the
// AWS SDK for Go v2's *kinesis.Client and tested against kds through
// kdstest, without a network or an AWS account.
//
// A [Publisher] sends events with PutRecords and re-sends the entries the
// stream refused; a [Reader] drains a stream with GetRecords, following
// each shard into its children after a reshard. Both wait between retries
// with a [Backoff], whose Sleep a test can replace so that waiting moves a
// manual clock instead of real time: see the package's tests.
package testfake
