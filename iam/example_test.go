package iam_test

import (
	"fmt"

	"github.com/kdsgo/kds/iam"
)

// A producer role may put into the orders stream over TLS from the
// private network; a resource policy on the stream lets a partner
// account's consumer read it and forbids deleting the resource policy to
// everyone.
func Example() {
	producer := iam.MustParse(iam.IdentityPolicy, "producer-put", `{
		"Version": "2012-10-17",
		"Statement": [{
			"Sid": "PutOrders",
			"Effect": "Allow",
			"Action": ["kinesis:PutRecord", "kinesis:PutRecords", "kinesis:Describe*"],
			"Resource": "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
			"Condition": {
				"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
				"Bool": {"aws:SecureTransport": "true"}
			}
		}]
	}`)
	stream := iam.MustParse(iam.ResourcePolicy, "arn:aws:kinesis:us-east-1:123456789012:stream/orders", `{
		"Version": "2012-10-17",
		"Statement": [{
			"Sid": "PartnerReads",
			"Effect": "Allow",
			"Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
			"Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStreamSummary", "kinesis:ListShards"],
			"Resource": "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
		}, {
			"Sid": "KeepPolicy",
			"Effect": "Deny",
			"Principal": "*",
			"Action": "kinesis:DeleteResourcePolicy",
			"Resource": "*"
		}]
	}`)
	partnerReader := iam.MustParse(iam.IdentityPolicy, "reader", `{
		"Version": "2012-10-17",
		"Statement": {"Sid": "ReadAny", "Effect": "Allow", "Action": "kinesis:*", "Resource": "*"}
	}`)

	const orders = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	tls := map[string][]string{"aws:SourceIp": {"10.2.3.4"}, "aws:SecureTransport": {"true"}}
	calls := []struct {
		req      iam.Request
		identity []*iam.Policy
	}{
		{iam.Request{Principal: "arn:aws:iam::123456789012:role/producer", Action: "kinesis:PutRecord", Resource: orders, Context: tls}, []*iam.Policy{producer}},
		{iam.Request{Principal: "arn:aws:iam::123456789012:role/producer", Action: "kinesis:PutRecord", Resource: orders,
			Context: map[string][]string{"aws:SourceIp": {"10.2.3.4"}, "aws:SecureTransport": {"false"}}}, []*iam.Policy{producer}},
		{iam.Request{Principal: "arn:aws:sts::111122223333:assumed-role/reader/worker-1", Action: "kinesis:GetRecords", Resource: orders}, []*iam.Policy{partnerReader}},
		{iam.Request{Principal: "arn:aws:sts::111122223333:assumed-role/reader/worker-1", Action: "kinesis:PutRecord", Resource: orders}, []*iam.Policy{partnerReader}},
		{iam.Request{Principal: "arn:aws:iam::123456789012:role/producer", Action: "kinesis:DeleteResourcePolicy", Resource: orders}, []*iam.Policy{producer}},
	}
	for _, c := range calls {
		d := iam.Evaluate(c.req, c.identity, stream)
		if d.Allowed() {
			fmt.Printf("%s: allowed by %s/%s\n", c.req.Action, d.Policy, d.Sid)
			continue
		}
		fmt.Println(iam.AccessDeniedMessage(c.req, d))
	}
	// Output:
	// kinesis:PutRecord: allowed by producer-put/PutOrders
	// User: arn:aws:iam::123456789012:role/producer is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders because no identity-based policy allows the kinesis:PutRecord action
	// kinesis:GetRecords: allowed by reader/ReadAny
	// User: arn:aws:sts::111122223333:assumed-role/reader/worker-1 is not authorized to perform: kinesis:PutRecord on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders because no resource-based policy allows the kinesis:PutRecord action
	// User: arn:aws:iam::123456789012:role/producer is not authorized to perform: kinesis:DeleteResourcePolicy on resource: arn:aws:kinesis:us-east-1:123456789012:stream/orders with an explicit deny in a resource-based policy
}
