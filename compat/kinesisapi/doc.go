// Package kinesisapi serves a [kds.Service] over the Kinesis Data Streams
// wire protocol, so that AWS SDKs and the AWS CLI can talk to it
// unchanged:
//
//	svc, _ := kds.NewService()
//	http.ListenAndServe("127.0.0.1:4567", kinesisapi.NewHandler(svc))
//
// Every request is a POST whose X-Amz-Target header names the operation
// (Kinesis_20131202.PutRecord, ...) and whose body is awsJson1.1 or, as
// the AWS SDK for Java sends by default, CBOR (application/x-amz-cbor-1.1).
// Answers use the request's content type, Kinesis's member names and
// encodings (base64 blobs and epoch-second timestamps in JSON, byte strings
// and tag-1 epoch milliseconds in CBOR, decimal strings for hash keys and
// sequence numbers), HTTP statuses and error bodies ({"__type": ...,
// "message": ...} with the X-Amzn-ErrorType header).
//
// SubscribeToShard answers with an application/vnd.amazon.eventstream
// response: an initial-response event, then SubscribeToShardEvent events
// until the subscription ends. Their payloads are JSON whatever the
// request's content type. Such a response stays open for up to five
// minutes; call [Handler.EndEventStreams] when shutting the server down.
//
// Requests must carry a SigV4 signature (in the Authorization header or
// the query). By default any credentials are accepted and every call is
// the account root's; with [WithCredentials] the handler verifies each
// signature as Kinesis does and the call acts as the principal of the key
// that signed it; docs/network.md at the repository's root lists the
// signature errors and where their wording comes from. Bodies are limited
// to 20 MiB. Browsers' CORS pre-flight requests are answered. Kinesis
// operations that kds does not implement are answered as unknown
// operations, with a message that names them; COMPATIBILITY.md at the
// repository's root lists them and every other difference from Kinesis.
package kinesisapi
