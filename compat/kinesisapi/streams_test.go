package kinesisapi_test

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

const (
	testAccount = "123456789012"
	testRegion  = "eu-west-1"
)

// testStart is the ManualClock's start in these tests; it has a
// millisecond fraction so that timestamps show their precision.
var testStart = time.Date(2024, 3, 1, 12, 0, 0, 123e6, time.UTC)

var seqNumPattern = regexp.MustCompile(`^\d{56}$`)

func TestCreateDescribeDeleteStream(t *testing.T) {
	clk := kds.NewManualClock(testStart)
	c, _, _ := newTestServer(t, kds.WithAccountID(testAccount), kds.WithRegion(testRegion), kds.WithClock(clk),
		kds.WithStatusDelays(kds.StatusDelays{Create: time.Second, Delete: time.Second}))
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{
		StreamName:         aws.String("orders"),
		ShardCount:         aws.Int32(3),
		Tags:               map[string]string{"team": "billing"},
		MaxRecordSizeInKiB: aws.Int32(2048),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantARN := "arn:aws:kinesis:eu-west-1:123456789012:stream/orders"

	d, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.StreamDescription.StreamStatus; got != types.StreamStatusCreating {
		t.Errorf("status while creating = %s", got)
	}
	if len(d.StreamDescription.Shards) != 0 || *d.StreamDescription.HasMoreShards {
		t.Errorf("a CREATING stream lists shards: %+v", d.StreamDescription.Shards)
	}

	clk.Advance(time.Second)
	s, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	sum := s.StreamDescriptionSummary
	if *sum.StreamName != "orders" || *sum.StreamARN != wantARN || sum.StreamStatus != types.StreamStatusActive ||
		sum.StreamModeDetails.StreamMode != types.StreamModeProvisioned || *sum.RetentionPeriodHours != 24 ||
		!sum.StreamCreationTimestamp.Equal(testStart) || sum.EncryptionType != types.EncryptionTypeNone ||
		*sum.OpenShardCount != 3 || *sum.ConsumerCount != 0 || *sum.MaxRecordSizeInKiB != 2048 ||
		len(sum.EnhancedMonitoring) != 1 || len(sum.EnhancedMonitoring[0].ShardLevelMetrics) != 0 || sum.KeyId != nil {
		t.Errorf("summary = %+v", sum)
	}

	d, err = c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamARN: aws.String(wantARN)})
	if err != nil {
		t.Fatal(err)
	}
	desc := d.StreamDescription
	if *desc.StreamName != "orders" || *desc.StreamARN != wantARN || desc.StreamStatus != types.StreamStatusActive ||
		*desc.RetentionPeriodHours != 24 || !desc.StreamCreationTimestamp.Equal(testStart) ||
		desc.EncryptionType != types.EncryptionTypeNone || *desc.HasMoreShards || len(desc.EnhancedMonitoring) != 1 {
		t.Errorf("description = %+v", desc)
	}
	wantRanges := [][2]string{
		{"0", "113427455640312821154458202477256070484"},
		{"113427455640312821154458202477256070485", "226854911280625642308916404954512140969"},
		{"226854911280625642308916404954512140970", "340282366920938463463374607431768211455"},
	}
	if len(desc.Shards) != 3 {
		t.Fatalf("shards = %d, want 3", len(desc.Shards))
	}
	for i, sh := range desc.Shards {
		want := "shardId-00000000000" + string(rune('0'+i))
		if *sh.ShardId != want || sh.ParentShardId != nil || sh.AdjacentParentShardId != nil ||
			*sh.HashKeyRange.StartingHashKey != wantRanges[i][0] || *sh.HashKeyRange.EndingHashKey != wantRanges[i][1] ||
			!seqNumPattern.MatchString(*sh.SequenceNumberRange.StartingSequenceNumber) || sh.SequenceNumberRange.EndingSequenceNumber != nil {
			t.Errorf("shard %d = %s", i, shardString(sh))
		}
	}

	_, err = c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("orders"), ShardCount: aws.Int32(1)})
	if e := wantAPIError[*types.ResourceInUseException](t, err); e.ErrorMessage() != "Stream orders under account 123456789012 already exists." {
		t.Errorf("message = %q", e.ErrorMessage())
	}

	if _, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamARN: aws.String(wantARN)}); err != nil {
		t.Fatal(err)
	}
	s, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if err != nil {
		t.Fatal(err)
	}
	if s.StreamDescriptionSummary.StreamStatus != types.StreamStatusDeleting {
		t.Errorf("status after DeleteStream = %s", s.StreamDescriptionSummary.StreamStatus)
	}
	clk.Advance(time.Second)
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("orders")})
	if e := wantAPIError[*types.ResourceNotFoundException](t, err); e.ErrorMessage() != "Stream orders under account 123456789012 not found." {
		t.Errorf("message = %q", e.ErrorMessage())
	}
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("orders")})
	wantAPIError[*types.ResourceNotFoundException](t, err)
}

func TestCreateStreamOnDemand(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{
		StreamName:        aws.String("od"),
		StreamModeDetails: &types.StreamModeDetails{StreamMode: types.StreamModeOnDemand},
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("od")})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.StreamDescriptionSummary; got.StreamModeDetails.StreamMode != types.StreamModeOnDemand || *got.OpenShardCount != 4 || *got.MaxRecordSizeInKiB != 1024 {
		t.Errorf("summary = %+v", got)
	}
}

func TestCreateStreamErrors(t *testing.T) {
	c, _, _ := newTestServer(t, kds.WithShardLimit(5), kds.WithAccountID(testAccount), kds.WithRegion(testRegion))
	ctx := context.Background()
	tests := []struct {
		name string
		in   kinesis.CreateStreamInput
		code string
		msg  string
	}{
		{"zero shards", kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(0)}, "ValidationException",
			"1 validation error detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"negative shards", kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(-2)}, "ValidationException",
			"1 validation error detected: Value '-2' at 'shardCount' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"no shard count", kinesis.CreateStreamInput{StreamName: aws.String("s")}, "ValidationException",
			"1 validation error detected: Value null at 'shardCount' failed to satisfy constraint: Member must not be null"},
		{"bad name", kinesis.CreateStreamInput{StreamName: aws.String("a b"), ShardCount: aws.Int32(1)}, "ValidationException",
			"1 validation error detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"},
		{"zero record size", kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1), MaxRecordSizeInKiB: aws.Int32(0)}, "ValidationException",
			"1 validation error detected: Value '0' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value greater than or equal to 1024"},
		{"record size too big", kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1), MaxRecordSizeInKiB: aws.Int32(10241)}, "ValidationException",
			"1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"bad mode", kinesis.CreateStreamInput{StreamName: aws.String("s"), StreamModeDetails: &types.StreamModeDetails{StreamMode: "FAST"}}, "ValidationException",
			"1 validation error detected: Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]"},
		{"over shard limit", kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(6)}, "LimitExceededException",
			"This request would exceed the shard limit for the account 123456789012 in eu-west-1. Current shard count for the account: 0. Limit: 5. Number of additional shards that would have resulted from this request: 6. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits."},
		{"bad tag", kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1), Tags: map[string]string{"a;b": "c"}}, "InvalidArgumentException",
			"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CreateStream(ctx, &tt.in)
			checkAPIError(t, err, tt.code, tt.msg)
		})
	}
}

func TestDeleteStreamWithConsumers(t *testing.T) {
	c, svc, _ := newTestServer(t)
	ctx := context.Background()
	createStream(t, c, "s", 1)
	st, _ := svc.Stream("s")
	if _, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: st.ARN(), ConsumerName: "app"}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s")})
	wantAPIError[*types.ResourceInUseException](t, err)
	_, err = c.DeleteStream(ctx, &kinesis.DeleteStreamInput{StreamName: aws.String("s"), EnforceConsumerDeletion: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeStreamSummary(ctx, &kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")})
	wantAPIError[*types.ResourceNotFoundException](t, err)
}

func TestStreamAddressing(t *testing.T) {
	c, _, _ := newTestServer(t, kds.WithAccountID(testAccount), kds.WithRegion(testRegion))
	ctx := context.Background()
	createStream(t, c, "s", 1)
	arn := "arn:aws:kinesis:eu-west-1:123456789012:stream/s"
	tests := []struct {
		name      string
		in        kinesis.DescribeStreamSummaryInput
		code, msg string
	}{
		{"name", kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s")}, "", ""},
		{"arn", kinesis.DescribeStreamSummaryInput{StreamARN: aws.String(arn)}, "", ""},
		{"both", kinesis.DescribeStreamSummaryInput{StreamName: aws.String("s"), StreamARN: aws.String(arn)}, "", ""},
		{"neither", kinesis.DescribeStreamSummaryInput{}, "InvalidArgumentException", "Either StreamName or StreamARN must be provided."},
		{"mismatch", kinesis.DescribeStreamSummaryInput{StreamName: aws.String("t"), StreamARN: aws.String(arn)}, "InvalidArgumentException",
			"StreamARN " + arn + " and StreamName t do not refer to the same stream."},
		{"other account", kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:eu-west-1:210987654321:stream/s")}, "ResourceNotFoundException",
			"Stream s under account 210987654321 not found."},
		{"other region", kinesis.DescribeStreamSummaryInput{StreamARN: aws.String("arn:aws:kinesis:us-east-1:123456789012:stream/s")}, "ResourceNotFoundException",
			"Stream s under account 123456789012 not found."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := c.DescribeStreamSummary(ctx, &tt.in)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if *out.StreamDescriptionSummary.StreamARN != arn {
					t.Errorf("ARN = %s", *out.StreamDescriptionSummary.StreamARN)
				}
				return
			}
			checkAPIError(t, err, tt.code, tt.msg)
		})
	}
}

func TestDescribeStreamPaging(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	createStream(t, c, "s", 5)
	var ids []string
	in := &kinesis.DescribeStreamInput{StreamName: aws.String("s"), Limit: aws.Int32(2)}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		out, err := c.DescribeStream(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		d := out.StreamDescription
		if len(d.Shards) > 2 {
			t.Fatalf("page of %d shards with Limit 2", len(d.Shards))
		}
		for _, sh := range d.Shards {
			ids = append(ids, *sh.ShardId)
		}
		if !*d.HasMoreShards {
			break
		}
		in.ExclusiveStartShardId = d.Shards[len(d.Shards)-1].ShardId
	}
	want := []string{"shardId-000000000000", "shardId-000000000001", "shardId-000000000002", "shardId-000000000003", "shardId-000000000004"}
	if !slices.Equal(ids, want) {
		t.Errorf("shards = %v, want %v", ids, want)
	}

	tests := []struct {
		name  string
		limit int32
		msg   string
	}{
		{"zero", 0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"negative", -1, "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"too big", 10001, "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeStream(ctx, &kinesis.DescribeStreamInput{StreamName: aws.String("s"), Limit: aws.Int32(tt.limit)})
			checkAPIError(t, err, "ValidationException", tt.msg)
		})
	}
}

func TestListStreams(t *testing.T) {
	clk := kds.NewManualClock(testStart)
	c, _, _ := newTestServer(t, kds.WithAccountID(testAccount), kds.WithRegion(testRegion), kds.WithClock(clk))
	ctx := context.Background()
	out, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.StreamNames) != 0 || *out.HasMoreStreams || out.NextToken != nil {
		t.Errorf("empty account lists %+v", out)
	}
	for _, name := range []string{"e", "c", "a", "d", "b"} {
		createStream(t, c, name, 1)
		clk.Advance(time.Second)
	}

	// NextToken pages.
	var names []string
	in := &kinesis.ListStreamsInput{Limit: aws.Int32(2)}
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		out, err := c.ListStreams(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, out.StreamNames...)
		if len(out.StreamSummaries) != len(out.StreamNames) {
			t.Fatalf("%d summaries for %d names", len(out.StreamSummaries), len(out.StreamNames))
		}
		if !*out.HasMoreStreams {
			if out.NextToken != nil {
				t.Errorf("last page has NextToken %s", *out.NextToken)
			}
			break
		}
		in = &kinesis.ListStreamsInput{NextToken: out.NextToken, Limit: aws.Int32(2)}
	}
	if want := []string{"a", "b", "c", "d", "e"}; !slices.Equal(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}

	// ExclusiveStartStreamName pages, and the summaries.
	out, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{ExclusiveStartStreamName: aws.String("b"), Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out.StreamNames, []string{"c"}) || !*out.HasMoreStreams {
		t.Errorf("after b: %v, more %v", out.StreamNames, *out.HasMoreStreams)
	}
	sum := out.StreamSummaries[0]
	if *sum.StreamName != "c" || *sum.StreamARN != "arn:aws:kinesis:eu-west-1:123456789012:stream/c" || sum.StreamStatus != types.StreamStatusActive ||
		sum.StreamModeDetails.StreamMode != types.StreamModeProvisioned || !sum.StreamCreationTimestamp.Equal(testStart.Add(time.Second)) {
		t.Errorf("summary of c = %+v", sum)
	}

	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: aws.String("bogus")})
	checkAPIError(t, err, "InvalidArgumentException", "Invalid NextToken.")
	first, err := c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{NextToken: first.NextToken, ExclusiveStartStreamName: aws.String("a")})
	checkAPIError(t, err, "InvalidArgumentException", "NextToken and ExclusiveStartStreamName cannot be provided together.")
	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(0)})
	checkAPIError(t, err, "ValidationException",
		"1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")
	_, err = c.ListStreams(ctx, &kinesis.ListStreamsInput{Limit: aws.Int32(10001)})
	checkAPIError(t, err, "ValidationException",
		"1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000")
}
