package kinesisapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/aws/smithy-go"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/internal/sdkhttp"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// signedServer serves a new Service whose handler verifies signatures
// against creds, and returns a function that makes SDK clients of it
// signing with the given provider (never retrying).
func signedServer(t *testing.T, creds ...kinesisapi.Credential) (*kds.Service, func(aws.CredentialsProvider) *kinesis.Client) {
	t.Helper()
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	return svc, serveSigned(t, svc, creds...)
}

// serveSigned serves svc with a handler that verifies signatures against
// creds, and returns signedServer's client maker.
func serveSigned(t *testing.T, svc *kds.Service, creds ...kinesisapi.Credential) func(aws.CredentialsProvider) *kinesis.Client {
	t.Helper()
	h := kinesisapi.NewHandler(svc, kinesisapi.WithCredentials(creds...))
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		h.EndEventStreams()
		srv.Close()
		svc.Close()
	})
	return func(p aws.CredentialsProvider) *kinesis.Client {
		return kinesis.New(kinesis.Options{
			Region:       svc.Region(),
			BaseEndpoint: aws.String(srv.URL),
			Credentials:  p,
			Retryer:      aws.NopRetryer{},
			HTTPClient:   sdkhttp.OwnBody{Client: srv.Client()},
		})
	}
}

// static is a provider of one access key.
func static(id, secret string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(id, secret, "")
}

// TestSignedCalls calls a server with credentials through the AWS SDK for
// Go v2 with the right keys (a data-plane round trip and an enhanced
// fan-out subscription) and with wrong ones, which Kinesis's exceptions
// refuse before anything happens.
func TestSignedCalls(t *testing.T) {
	producer := kinesisapi.Credential{AccessKeyID: "AKIDPRODUCER", SecretAccessKey: "producer-secret", Principal: "arn:aws:iam::000000000000:user/producer"}
	admin := kinesisapi.Credential{AccessKeyID: "AKIDADMIN", SecretAccessKey: "admin-secret"}
	svc, client := signedServer(t, producer, admin)
	ctx := context.Background()

	c := client(static(admin.AccessKeyID, admin.SecretAccessKey))
	if _, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	p := client(static(producer.AccessKeyID, producer.SecretAccessKey))
	if _, err := p.PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("signed")}); err != nil {
		t.Fatalf("PutRecord with the producer's key: %v", err)
	}
	it, err := p.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := p.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		t.Fatalf("GetRecords: %v", err)
	}
	if len(recs.Records) != 1 || string(recs.Records[0].Data) != "signed" {
		t.Fatalf("GetRecords: %+v", recs.Records)
	}

	consumer, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(streamARN(svc, "s")), ConsumerName: aws.String("efo")})
	if err != nil {
		t.Fatal(err)
	}
	subscribe := func(c *kinesis.Client) (*kinesis.SubscribeToShardOutput, error) {
		return c.SubscribeToShard(ctx, &kinesis.SubscribeToShardInput{
			ConsumerARN:      consumer.Consumer.ConsumerARN,
			ShardId:          aws.String("shardId-000000000000"),
			StartingPosition: &types.StartingPosition{Type: types.ShardIteratorTypeTrimHorizon},
		})
	}
	if _, err := subscribe(client(static(producer.AccessKeyID, "guess"))); !isCode(err, "InvalidSignatureException") {
		t.Fatalf("SubscribeToShard with a wrong secret: %v, want InvalidSignatureException", err)
	}
	sub, err := subscribe(client(static(producer.AccessKeyID, producer.SecretAccessKey)))
	if err != nil {
		t.Fatalf("SubscribeToShard: %v", err)
	}
	defer sub.GetStream().Close()
	if ev := mustEvent(t, sub.GetStream()); len(ev.Records) != 1 || string(ev.Records[0].Data) != "signed" {
		t.Fatalf("subscription's first event: %+v", ev.Records)
	}

	refused := []struct {
		name  string
		creds aws.CredentialsProvider
		code  string
		msg   string
	}{
		{"wrong secret", static(producer.AccessKeyID, "guess"), "InvalidSignatureException",
			"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
		{"unknown key", static("AKIDSTRANGER", "stranger-secret"), "UnrecognizedClientException",
			"The security token included in the request is invalid."},
		{"session token the key does not have", credentials.NewStaticCredentialsProvider(producer.AccessKeyID, producer.SecretAccessKey, "token"),
			"UnrecognizedClientException", "The security token included in the request is invalid."},
		{"anonymous", aws.AnonymousCredentials{}, "MissingAuthenticationTokenException", "Missing Authentication Token"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client(tt.creds).PutRecord(ctx, &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("refused")})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tt.code || ae.ErrorMessage() != tt.msg {
				t.Fatalf("PutRecord: %v, want %s: %s", err, tt.code, tt.msg)
			}
		})
	}
	// The refused puts stored nothing.
	it, err = c.GetShardIterator(ctx, &kinesis.GetShardIteratorInput{StreamName: aws.String("s"), ShardId: aws.String("shardId-000000000000"), ShardIteratorType: types.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	if recs, err = c.GetRecords(ctx, &kinesis.GetRecordsInput{ShardIterator: it.ShardIterator}); err != nil || len(recs.Records) != 1 {
		t.Errorf("after the refused calls the stream holds %d records (%v), want 1", len(recs.Records), err)
	}
}

// streamARN returns the ARN of svc's stream name.
func streamARN(svc *kds.Service, name string) string {
	s, _ := svc.Stream(name)
	return s.ARN()
}

// isCode reports whether err is an API error with the given code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}
