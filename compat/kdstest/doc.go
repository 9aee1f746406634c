// Package kdstest gives a Go test a Kinesis Data Streams fake in one call:
// a kds Service served over HTTP in the Kinesis wire protocol, and an AWS
// SDK for Go v2 Kinesis client pointed at it. Code written against
// *kinesis.Client is tested unchanged.
//
//	func TestPublish(t *testing.T) {
//		f := kdstest.New(t, kdstest.WithStream("orders", 2))
//		if err := Publish(t.Context(), f.Client(), "orders", order); err != nil {
//			t.Fatal(err)
//		}
//	}
//
// Everything New starts is stopped by t.Cleanup when the test ends.
//
// The fake behaves as Kinesis does by default: streams enforce Kinesis's
// per-shard throughput limits (pass
// WithServiceOptions(kds.WithThroughputLimits(kds.NoLimits)) to turn them
// off), and the client retries as the SDK does (three attempts; see
// [WithMaxAttempts]). For tests of time (iterator expiry, retention,
// status delays), [WithManualClock] puts the Service on a clock the test
// moves:
//
//	f := kdstest.New(t, kdstest.WithManualClock(time.Now()), kdstest.WithStream("s", 1))
//	// ... get a shard iterator ...
//	f.Clock().Advance(kds.IteratorLifetime + time.Second)
//	// ... GetRecords now fails with ExpiredIteratorException
//
// The client is built from the options given, not from the environment:
// no AWS profile, region or credential variable reaches it.
package kdstest
