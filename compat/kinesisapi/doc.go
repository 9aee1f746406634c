// Package kinesisapi serves a [kds.Service] over the Kinesis Data Streams
// wire protocol, so that any AWS SDK, the AWS CLI or the KCL can talk to it
// unchanged.
//
// Every request is a POST whose X-Amz-Target header names the operation
// (Kinesis_20131202.PutRecord, ...) and whose body is awsJson1.1 or, as
// the AWS SDK for Java sends by default, CBOR (application/x-amz-cbor-1.1).
// Answers use the request's content type, Kinesis's field names and
// encodings (base64 blobs in JSON, epoch-second timestamps, decimal strings
// for hash keys and sequence numbers), HTTP statuses and error bodies
// ({"__type": ..., "message": ...}). SubscribeToShard answers with an
// application/vnd.amazon.eventstream response.
package kinesisapi
