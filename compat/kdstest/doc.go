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
//
// # Event streams and a fast server
//
// Two flaws of the AWS SDK for Go v2 show up against a server that answers
// as fast as the fake does, mostly with SubscribeToShard:
//
//   - The SDK closes a request's body as soon as the response headers
//     arrive. If the HTTP transport has not finished with the body by
//     then, it closes the connection, and the response breaks off with
//     "use of closed network connection": an event stream ends early, or
//     an ordinary call fails with "deserialization failed". The fake's
//     clients are immune: their HTTP client gives the transport a copy of
//     each body that the SDK cannot close. A client made from [Fake.URL]
//     with the SDK's own HTTP client is not, nor one whose HTTPClient
//     [WithClientOptions] replaces.
//   - All event streams of one client share one event-stream decoder,
//     which is not safe for concurrent use (aws/smithy-go#714): two live
//     subscriptions through the same client are a data race.
//
// So subscribe each time through a client of its own from [Fake.NewClient]:
//
//	for _, shard := range shards {
//		out, err := f.NewClient().SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
//			ConsumerARN: consumerARN, ShardId: shard, StartingPosition: start,
//		})
//		// ...
//	}
package kdstest
