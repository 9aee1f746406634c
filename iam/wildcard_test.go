package iam

import "testing"

func TestActionMatch(t *testing.T) {
	tests := []struct {
		pattern, action string
		want            bool
	}{
		{"kinesis:PutRecord", "kinesis:PutRecord", true},
		{"kinesis:putrecord", "kinesis:PutRecord", true},
		{"KINESIS:PUTRECORD", "kinesis:PutRecord", true},
		{"kinesis:Put*", "kinesis:PutRecord", true},
		{"kinesis:Put*", "kinesis:PutRecords", true},
		{"kinesis:put*", "kinesis:PutResourcePolicy", true},
		{"kinesis:Put*", "kinesis:GetRecords", false},
		{"kinesis:*", "kinesis:SubscribeToShard", true},
		{"kinesis:*", "firehose:PutRecord", false},
		{"*", "kinesis:DescribeStream", true},
		{"kinesis:Get*Records", "kinesis:GetRecords", true},
		{"kinesis:PutRecord?", "kinesis:PutRecords", true},
		{"kinesis:PutRecord?", "kinesis:PutRecord", false},
		{"kinesis:Describe*", "kinesis:DescribeStreamSummary", true},
		{"kinesis:*Stream*", "kinesis:ListStreamConsumers", true},
		{"kin*PutRecord", "kinesis:PutRecord", true},
		{"kinesis:PutRecord", "kinesis:PutRecords", false},
		{"kinesis:List*", "kinesis:list", true}, // * may be empty
		{"kinesis:List?*", "kinesis:list", false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.action, true); got != tt.want {
			t.Errorf("action %q ~ %q = %v, want %v", tt.pattern, tt.action, got, tt.want)
		}
	}
}

func TestResourceMatch(t *testing.T) {
	const orders = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	const consumer = "arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1700000000"
	tests := []struct {
		pattern, resource string
		want              bool
	}{
		{"*", orders, true},
		{orders, orders, true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/Orders", orders, false}, // case-sensitive
		{"arn:aws:kinesis:*:123456789012:stream/orders", orders, true},
		{"arn:aws:kinesis:us-east-1:*:stream/*", orders, true},
		{"arn:aws:kinesis:*", orders, true},                          // spans ':' and '/'
		{"arn:aws:kinesis:us-east-1:123456789012:*", consumer, true}, // spans '/' and ':'
		{"arn:aws:kinesis:us-east-1:123456789012:stream/orders", consumer, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/orders/*", consumer, true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/orders*", consumer, true},
		{"arn:aws:kinesis:*:stream/orders", orders, true}, // one '*' covers region and account
		{"arn:aws:kinesis:us-east-?:123456789012:stream/orders", orders, true},
		{"arn:aws:kinesis:us-east-?:123456789012:stream/order?", orders, true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/ord", orders, false},
		{"arn:aws:kinesis:us-west-2:123456789012:stream/orders", orders, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/*/consumer/*", consumer, true},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/*/consumer/*", orders, false},
		{"arn:aws:kinesis:us-east-1:123456789012:stream/????", "arn:aws:kinesis:us-east-1:123456789012:stream/αβγδ", true},
		{"**", "", true},
		{"?", "", false},
	}
	for _, tt := range tests {
		if got := wildcardMatch(tt.pattern, tt.resource, false); got != tt.want {
			t.Errorf("resource %q ~ %q = %v, want %v", tt.pattern, tt.resource, got, tt.want)
		}
	}
}

func TestStatementNotActionNotResource(t *testing.T) {
	const orders = "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	const logs = "arn:aws:kinesis:us-east-1:123456789012:stream/logs"
	notAction := Statement{NotAction: []string{"kinesis:Delete*", "kinesis:*Policy"}, Resource: []string{"*"}}
	notResource := Statement{Action: []string{"*"}, NotResource: []string{"arn:aws:kinesis:*:*:stream/orders"}}
	tests := []struct {
		name     string
		st       Statement
		action   string
		resource string
		want     bool
	}{
		{"NotAction other", notAction, "kinesis:PutRecord", orders, true},
		{"NotAction listed", notAction, "kinesis:DeleteStream", orders, false},
		{"NotAction listed case", notAction, "KINESIS:deletestream", orders, false},
		{"NotAction wildcard suffix", notAction, "kinesis:PutResourcePolicy", orders, false},
		{"NotResource other", notResource, "kinesis:PutRecord", logs, true},
		{"NotResource listed", notResource, "kinesis:PutRecord", orders, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.st.applies(Request{Action: tt.action, Resource: tt.resource})
			if got != tt.want {
				t.Errorf("applies = %v, want %v", got, tt.want)
			}
		})
	}
}
