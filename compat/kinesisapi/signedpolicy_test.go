package kinesisapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/smithy-go"
	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// TestSignedPrincipalsMeetPolicies goes the whole way through the wire:
// the access key that signed a call names its principal, and that
// principal's identity policies decide, through the AWS SDK for Go v2.
func TestSignedPrincipalsMeetPolicies(t *testing.T) {
	const alice = "arn:aws:iam::000000000000:user/alice"
	ac := kds.NewAccessControl()
	svc, err := kds.NewService(kds.WithAccessControl(ac))
	if err != nil {
		t.Fatal(err)
	}
	stream := "arn:aws:kinesis:" + svc.Region() + ":" + svc.AccountID() + ":stream/s"
	if err := ac.PutIdentityPolicy(alice, "put-only", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:Put*","Resource":"`+stream+`"}]}`); err != nil {
		t.Fatal(err)
	}
	client := serveSigned(t, svc,
		kinesisapi.Credential{AccessKeyID: "AKIDALICE", SecretAccessKey: "alice-secret", Principal: alice},
		kinesisapi.Credential{AccessKeyID: "AKIDBOB", SecretAccessKey: "bob-secret", Principal: "arn:aws:iam::000000000000:user/bob"},
		kinesisapi.Credential{AccessKeyID: "AKIDROOT", SecretAccessKey: "root-secret"})
	ctx := context.Background()
	root, a, bob := client(static("AKIDROOT", "root-secret")), client(static("AKIDALICE", "alice-secret")), client(static("AKIDBOB", "bob-secret"))

	if _, err := root.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1)}); err != nil {
		t.Fatalf("CreateStream as the account root: %v", err)
	}
	put := &kinesis.PutRecordInput{StreamName: aws.String("s"), PartitionKey: aws.String("k"), Data: []byte("x")}
	if _, err := a.PutRecord(ctx, put); err != nil {
		t.Fatalf("PutRecord as alice, who may put: %v", err)
	}
	denied := []struct {
		name string
		call func() error
		msg  string
	}{
		{"alice describes", func() error {
			_, err := a.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
			return err
		}, "User: " + alice + " is not authorized to perform: kinesis:DescribeStreamSummary on resource: " + stream + " because no identity-based policy allows the kinesis:DescribeStreamSummary action"},
		{"bob puts", func() error {
			_, err := bob.PutRecord(ctx, put)
			return err
		}, "User: arn:aws:iam::000000000000:user/bob is not authorized to perform: kinesis:PutRecord on resource: " + stream + " because no identity-based policy allows the kinesis:PutRecord action"},
	}
	for _, tt := range denied {
		t.Run(tt.name, func(t *testing.T) {
			var ae smithy.APIError
			if err := tt.call(); !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || ae.ErrorMessage() != tt.msg {
				t.Fatalf("got %v, want AccessDeniedException: %s", err, tt.msg)
			}
		})
	}
	s, _ := svc.Stream("s")
	n := 0
	for _, err := range s.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("%d records stored, want alice's one", n)
	}
}
