package kds_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/kdsgo/kds"
)

// A producer principal may put to the orders stream and nothing else; a
// reader in another account is let in by the stream's resource policy.
func ExampleNewAccessControl() {
	ac := kds.NewAccessControl()
	err := ac.PutIdentityPolicy("arn:aws:iam::123456789012:user/producer", "put-orders", `{
		"Version": "2012-10-17",
		"Statement": {
			"Effect": "Allow",
			"Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
			"Resource": "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
		}
	}`)
	if err != nil {
		panic(err)
	}
	err = ac.PutIdentityPolicy("arn:aws:iam::999999999999:role/reader", "read-orders", `{
		"Version": "2012-10-17",
		"Statement": {"Effect": "Allow", "Action": "kinesis:Get*", "Resource": "*"}
	}`)
	if err != nil {
		panic(err)
	}
	svc, err := kds.NewService(kds.WithAccountID("123456789012"), kds.WithAccessControl(ac))
	if err != nil {
		panic(err)
	}
	defer svc.Close()

	// Calls without a Caller are the account root's: allowed.
	ctx := context.Background()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: "orders", ShardCount: 1}); err != nil {
		panic(err)
	}
	_, err = svc.PutResourcePolicy(ctx, kds.PutResourcePolicyInput{
		ResourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
		Policy: `{
			"Version": "2012-10-17",
			"Statement": {
				"Effect": "Allow",
				"Principal": {"AWS": "arn:aws:iam::999999999999:role/reader"},
				"Action": ["kinesis:GetShardIterator", "kinesis:GetRecords"],
				"Resource": "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
			}
		}`,
	})
	if err != nil {
		panic(err)
	}

	producer := kds.WithCaller(ctx, kds.Caller{Principal: "arn:aws:iam::123456789012:user/producer"})
	if _, err := svc.PutRecord(producer, kds.PutRecordInput{StreamName: "orders", PartitionKey: "k", Data: []byte("order 1")}); err != nil {
		panic(err)
	}
	_, err = svc.DeleteStream(producer, kds.DeleteStreamInput{StreamName: "orders"})
	fmt.Println(errors.Is(err, kds.ErrAccessDenied))
	fmt.Println(err)

	// A session of the other account's reader role reads with both its
	// role's policy and the stream's.
	reader := kds.WithCaller(ctx, kds.Caller{Principal: "arn:aws:sts::999999999999:assumed-role/reader/nightly"})
	it, err := svc.GetShardIterator(reader, kds.GetShardIteratorInput{
		StreamARN: "arn:aws:kinesis:us-east-1:123456789012:stream/orders", ShardId: "shardId-000000000000",
		ShardIteratorType: kds.ShardIteratorTypeTrimHorizon,
	})
	if err != nil {
		panic(err)
	}
	out, err := svc.GetRecords(reader, kds.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", out.Records[0].Data)
	// Output:
	// true
	// AccessDeniedException: User: arn:aws:iam::123456789012:user/producer is not authorized to perform: kinesis:DeleteStream on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders because no identity-based policy allows the kinesis:DeleteStream action
	// order 1
}
