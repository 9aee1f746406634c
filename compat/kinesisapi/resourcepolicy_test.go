package kinesisapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/kdsgo/kds"
)

// wirePolicy lets another account put to the stream s.
const wirePolicy = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"AWS": "111122223333"},
    "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
    "Resource": "arn:aws:kinesis:us-east-1:000000000000:stream/s"
  }]
}`

func TestResourcePolicyOperations(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	stream := createStream(t, c, "s", 1)
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(stream), ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	get := func(arn string) string {
		t.Helper()
		out, err := c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(arn)})
		if err != nil {
			t.Fatalf("GetResourcePolicy(%s): %v", arn, err)
		}
		return aws.ToString(out.Policy)
	}
	for _, arn := range []string{stream, *reg.Consumer.ConsumerARN} {
		t.Run(arn, func(t *testing.T) {
			if got := get(arn); got != "{}" {
				t.Fatalf("before any put: %q", got)
			}
			if _, err := c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String(wirePolicy)}); err != nil {
				t.Fatal(err)
			}
			if got := get(arn); got != wirePolicy {
				t.Fatalf("GetResourcePolicy = %q, want the document as put", got)
			}
			_, err := c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn),
				Policy: aws.String(`{"Statement":{"Effect":"Allow","Action":"kinesis:*","Resource":"*"}}`)})
			checkAPIError(t, err, "InvalidArgumentException", "Missing required field Principal")
			_, err = c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(arn), Policy: aws.String(`not json`)})
			checkAPIError(t, err, "InvalidArgumentException", "Syntax errors in policy.")
			if got := get(arn); got != wirePolicy {
				t.Fatalf("a refused put changed the policy to %q", got)
			}
			if _, err := c.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(arn)}); err != nil {
				t.Fatal(err)
			}
			if got := get(arn); got != "{}" {
				t.Fatalf("after delete: %q", got)
			}
			_, err = c.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(arn)})
			checkAPIError(t, err, "ResourceNotFoundException", "No resource policy found for resource ARN "+arn+".")
		})
	}

	missing := strings.Replace(stream, "stream/s", "stream/nope", 1)
	_, err = c.GetResourcePolicy(ctx, &kinesis.GetResourcePolicyInput{ResourceARN: aws.String(missing)})
	checkAPIError(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	_, err = c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(missing), Policy: aws.String(wirePolicy)})
	checkAPIError(t, err, "ResourceNotFoundException", "Stream nope under account 000000000000 not found.")
	_, err = c.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String("s")})
	checkAPIError(t, err, "ValidationException", `1 validation error detected: Value 's' at 'resourceARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*(stream|channel)/\S+`)
}

// With access control on, a resource policy judges wire calls by what
// the connection says of them: here plaintext HTTP, refused by a policy
// that demands TLS, even for the account root. The root can still remove
// the policy.
func TestResourcePolicyJudgesWireCalls(t *testing.T) {
	c, _, _ := newTestServer(t, kds.WithAccessControl(kds.NewAccessControl()))
	ctx := context.Background()
	stream := createStream(t, c, "s", 1)
	tlsOnly := `{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"kinesis:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}`
	if _, err := c.PutResourcePolicy(ctx, &kinesis.PutResourcePolicyInput{ResourceARN: aws.String(stream), Policy: aws.String(tlsOnly)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(stream), PartitionKey: aws.String("k"), Data: []byte("x")})
	checkAPIError(t, err, "AccessDeniedException", "User: arn:aws:iam::000000000000:root is not authorized to perform: kinesis:PutRecord on resource: "+
		stream+" with an explicit deny in a resource-based policy")
	if _, err := c.DeleteResourcePolicy(ctx, &kinesis.DeleteResourcePolicyInput{ResourceARN: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutRecord(ctx, &kinesis.PutRecordInput{StreamARN: aws.String(stream), PartitionKey: aws.String("k"), Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
}
