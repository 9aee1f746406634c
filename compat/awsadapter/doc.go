// Package awsadapter lets the kds helpers that are written against small
// client interfaces — the [kds.Producer] ([kds.ProducerClient]) and the
// consumer groups ([consumergroup.Client]) — run against Amazon Kinesis, or
// anything else that speaks its protocol, through the AWS SDK for Go v2.
//
//	p, err := kds.NewProducer(kds.ProducerConfig{
//		StreamName: "orders",
//		Client:     awsadapter.New(kinesis.NewFromConfig(cfg)),
//	})
//
// # What is mapped
//
// [Client] implements PutRecords, ListShards, GetShardIterator and
// GetRecords. Every member of the kds inputs and outputs is carried over:
// empty strings, zero times and zero numbers become absent members (kds's
// "default"), sequence numbers and hash keys are parsed into
// [kds.SequenceNumber] and [kds.HashKey], ChildShards, MillisBehindLatest,
// EncryptionType, NextToken and ShardFilter are kept, and PutRecords keeps
// each entry's ShardId and SequenceNumber or ErrorCode and ErrorMessage as
// the service sent them. Timestamps travel with the wire's millisecond
// precision; a MaxResults or Limit beyond the wire's 32 bits is sent as
// the nearest 32-bit value, which the service rejects as it would the
// original. Not mapped, because kds has no member for them: the SDK's
// StreamId and DryRun inputs and its ResultMetadata. Records come back as
// Kinesis stores them: KPL aggregates are not taken apart here (the
// consumer groups do that), so SubSequenceNumber is always 0.
//
// A response the kds types cannot hold — a malformed sequence number or
// hash key, a shard without a hash key range — fails the call like a
// transport failure (see below); nothing is silently dropped or zeroed.
//
// # Errors
//
// The helpers decide what to do with a failed call through [kds.Error]:
// errors.Is(err, [kds.ErrExpiredIterator]), [kds.IsRetriable] and the
// like. So every error the adapter returns, except the caller's own
// cancellation, wraps a *kds.Error next to the SDK's error, which stays
// reachable too (errors.As with *types.ExpiredIteratorException,
// smithy.APIError, net.Error, ...):
//
//   - An error response from the service becomes a *kds.Error with the
//     exception name as Code and its message, so it is classified exactly
//     as the same failure of a [kds.Service]. Three cases are translated
//     into kds's vocabulary, which names Kinesis's exceptions: Kinesis's
//     500 "InternalFailure" becomes [kds.ErrInternalFailure]'s code; the
//     generic AWS "ThrottlingException" becomes [kds.ErrLimitExceeded]'s
//     code (both say "slow down", and only the latter is one kds retries);
//     and any other server fault (an HTTP 5xx status with a code kds does
//     not retry, such as 503 ServiceUnavailable) becomes
//     [kds.ErrInternalFailure]'s code with "<code>: <message>" as message.
//   - A call that failed without an answer from the service — a transport
//     failure (refused connection, reset, timeout of the HTTP client), a
//     response the SDK could not read, or one the kds types cannot hold —
//     becomes a *kds.Error with [kds.ErrInternalFailure]'s code: a
//     transient failure inside the service's path, which both the Producer
//     and the consumer groups back off from and retry.
//   - If the context passed to the call has ended, a failure without an
//     answer is returned as the SDK gave it (it wraps ctx's error); the
//     helpers check their own context before retrying anyway.
//
// The SDK's own retryer still runs underneath: by default it retries
// throttling errors and server faults of a whole call up to 3 attempts
// before the adapter sees the error. Failed entries of a PutRecords call
// are not errors to the SDK; the Producer resends them.
//
// # Data ownership
//
// [kds.ProducerClient] requires that PutRecords keep no reference to its
// entries' Data after it returns. The adapter hands the Data slices to the
// SDK without copying them; the SDK encodes them into the request body
// (base64 in JSON) while serializing the request, resends that encoded
// body on retries, and holds nothing of the input once the call returns.
// Records returned by GetRecords own their Data: it was decoded by the SDK
// into fresh memory.
package awsadapter
