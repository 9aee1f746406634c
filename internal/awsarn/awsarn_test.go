package awsarn

import (
	"strings"
	"testing"
)

func TestParseStream(t *testing.T) {
	tests := []struct {
		arn                                string
		partition, region, account, stream string
	}{
		{arn: "arn:aws:kinesis:eu-west-1:123456789012:stream/orders", partition: "aws", region: "eu-west-1", account: "123456789012", stream: "orders"},
		{arn: "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a.b_c-1", partition: "aws-cn", region: "cn-north-1", account: "123456789012", stream: "a.b_c-1"},
		{arn: "arn:aws:kinesis::123456789012:stream/no-region", partition: "aws", account: "123456789012", stream: "no-region"},
		{arn: "arn:aws:kinesis:us-east-1:123456789012:stream/" + strings.Repeat("s", 128), partition: "aws", region: "us-east-1", account: "123456789012", stream: strings.Repeat("s", 128)},
		{arn: "arn:aws:kinesis:us-east-1:123456789012:stream/" + strings.Repeat("s", 129)},
		{arn: "arn:aws:kinesis:us-east-1:123456789012:stream/"},
		{arn: "arn:aws:kinesis:us-east-1:123456789012:stream/a b"},
		{arn: "arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1"},
		{arn: "arn:aws:kinesis:us-east-1:12345678901:stream/short-account"},
		{arn: "arn:aws:kinesis:us-east-1:acct:stream/s"},
		{arn: "arn:aws:sqs:us-east-1:123456789012:queue"},
		{arn: "arn:gcp:kinesis:us-east-1:123456789012:stream/s"},
		{arn: "kinesis:us-east-1:123456789012:stream/s"},
		{arn: ""},
	}
	for _, tt := range tests {
		partition, region, account, stream, ok := ParseStream(tt.arn)
		if ok != (tt.stream != "") || partition != tt.partition || region != tt.region || account != tt.account || stream != tt.stream {
			t.Errorf("ParseStream(%q) = %q %q %q %q %v", tt.arn, partition, region, account, stream, ok)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct {
		s              string
		name, isStream bool
	}{
		{"orders", true, true},
		{"a.B_c-9", true, true},
		{strings.Repeat("n", 128), true, true},
		{strings.Repeat("n", 129), true, false},
		{"", false, false},
		{"a b", false, false},
		{"a/b", false, false},
		{"é", false, false},
	} {
		if got := IsName(tt.s); got != tt.name {
			t.Errorf("IsName(%q) = %v", tt.s, got)
		}
		if got := IsStreamName(tt.s); got != tt.isStream {
			t.Errorf("IsStreamName(%q) = %v", tt.s, got)
		}
	}
	for s, want := range map[string]bool{"123456789012": true, "12345678901": false, "1234567890123": false, "12345678901a": false, "": false} {
		if got := IsAccountID(s); got != want {
			t.Errorf("IsAccountID(%q) = %v", s, got)
		}
	}
}
