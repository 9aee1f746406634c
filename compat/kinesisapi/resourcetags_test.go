package kinesisapi_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

// listResourceTags returns ListTagsForResource's tags as key=value
// strings, in the order the server sent them.
func listResourceTags(t *testing.T, c *kinesis.Client, arn string) string {
	t.Helper()
	out, err := c.ListTagsForResource(context.Background(), &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
	if err != nil {
		t.Fatalf("ListTagsForResource(%s): %v", arn, err)
	}
	return fmt.Sprint(tagPairs(out.Tags))
}

func TestTagResourceStream(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	arn := createStream(t, c, "s", 1)
	if got := listResourceTags(t, c, arn); got != "[]" {
		t.Fatalf("new stream: %s", got)
	}
	if _, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: map[string]string{"b": "2", "a": "1", "c": ""}}); err != nil {
		t.Fatal(err)
	}
	// One tag set, whichever operations read and change it.
	if _, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"d": "4"}}); err != nil {
		t.Fatal(err)
	}
	if got := listResourceTags(t, c, arn); got != "[a=1 b=2 c= d=4]" {
		t.Errorf("ListTagsForResource = %s", got)
	}
	if _, err := c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: []string{"a", "d", "absent"}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagPairs(out.Tags)); got != "[b=2 c=]" {
		t.Errorf("ListTagsForStream after UntagResource = %s", got)
	}
}

func TestTagResourceConsumer(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	arn := createStream(t, c, "s", 1)
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{
		StreamARN: aws.String(arn), ConsumerName: aws.String("app"), Tags: map[string]string{"team": "x", "env": "prod"},
	})
	if err != nil {
		t.Fatal(err)
	}
	consumer := *reg.Consumer.ConsumerARN
	if got := listResourceTags(t, c, consumer); got != "[env=prod team=x]" {
		t.Fatalf("tags from RegisterStreamConsumer = %s", got)
	}
	if _, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(consumer), Tags: map[string]string{"owner": "ana"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(consumer), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	if got := listResourceTags(t, c, consumer); got != "[owner=ana team=x]" {
		t.Errorf("consumer tags = %s", got)
	}
	if got := listResourceTags(t, c, arn); got != "[]" {
		t.Errorf("the stream has its consumer's tags: %s", got)
	}

	// The tags go with the consumer.
	if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(consumer)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(consumer)})
	checkAPIError(t, err, "ResourceNotFoundException", "Consumer "+consumer+" under stream s under account 000000000000 not found.")
}

func TestTagResourceErrors(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	c, _, _ := newTestServer(t, kds.WithClock(clock), kds.WithStatusDelay(time.Second))
	ctx := context.Background()
	arn := createStream(t, c, "s", 1)
	clock.Advance(time.Second)
	newARN := createStream(t, c, "new", 1) // CREATING until the clock moves
	nopeARN := "arn:aws:kinesis:us-east-1:000000000000:stream/nope"
	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	consumer := *reg.Consumer.ConsumerARN
	tag := func(arn string, tags map[string]string) error {
		_, err := c.TagResource(ctx, &kinesis.TagResourceInput{ResourceARN: aws.String(arn), Tags: tags})
		return err
	}
	untag := func(arn string, keys ...string) error {
		_, err := c.UntagResource(ctx, &kinesis.UntagResourceInput{ResourceARN: aws.String(arn), TagKeys: keys})
		return err
	}
	list := func(arn string) error {
		_, err := c.ListTagsForResource(ctx, &kinesis.ListTagsForResourceInput{ResourceARN: aws.String(arn)})
		return err
	}
	many := make(map[string]string)
	for i := range 51 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	unknownConsumer := arn + "/consumer/nope:1"
	malformed := "arn:aws:kinesis:us-east-1:000000000000:stream/a#b"
	const pattern = `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*(stream|channel)/\S+`
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"unknown stream", tag(nopeARN, map[string]string{"a": "b"}), "ResourceNotFoundException",
			"Stream nope under account 000000000000 not found."},
		{"list unknown stream", list(nopeARN), "ResourceNotFoundException",
			"Stream nope under account 000000000000 not found."},
		{"unknown consumer", untag(unknownConsumer, "a"), "ResourceNotFoundException",
			"Consumer " + unknownConsumer + " under stream s under account 000000000000 not found."},
		{"malformed ARN", tag(malformed, map[string]string{"a": "b"}), "ValidationException",
			"1 validation error detected: Value '" + malformed + "' at 'resourceARN' failed to satisfy constraint: " + pattern},
		{"list malformed ARN", list(malformed), "ValidationException",
			"1 validation error detected: Value '" + malformed + "' at 'resourceARN' failed to satisfy constraint: " + pattern},
		{"CREATING stream", tag(newARN, map[string]string{"a": "b"}), "ResourceInUseException",
			"Stream new under account 000000000000 not ACTIVE, instead in state CREATING"},
		{"untag CREATING stream", untag(newARN, "a"), "ResourceInUseException",
			"Stream new under account 000000000000 not ACTIVE, instead in state CREATING"},
		{"too many consumer tags", tag(consumer, many), "InvalidArgumentException",
			"Failed to add tags to consumer app under stream s under account 000000000000 because a given consumer cannot have more than 50 tags associated with it."},
		{"percent sign", tag(arn, map[string]string{"k": "50%"}), "InvalidArgumentException",
			"Failed to add tags to stream s under account 000000000000 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."},
		{"no tags", tag(consumer, map[string]string{}), "ValidationException",
			"1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"no tag keys", untag(consumer, []string{}...), "ValidationException",
			"1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"register with invalid tags", func() error {
			_, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("x"), Tags: map[string]string{"a;b": "v"}})
			return err
		}(), "InvalidArgumentException", "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAPIError(t, tt.err, tt.code, tt.msg) })
	}
	// And a typed error as callers would test it.
	wantAPIError[*types.ResourceInUseException](t, tag(newARN, map[string]string{"a": "b"}))
}

// What the SDK will not send: members missing, or of the wrong type.
func TestTagResourceRawRequests(t *testing.T) {
	_, _, url := newTestServer(t)
	arn := `"arn:aws:kinesis:us-east-1:000000000000:stream/s"`
	ok := rawCall(t, url, http.MethodPost, "CreateStream", `{"StreamName":"s","ShardCount":1}`, false)
	if ok.status != http.StatusOK {
		t.Fatalf("CreateStream: %d %s", ok.status, ok.body)
	}
	errs := []struct{ op, body, typ, msg string }{
		{"TagResource", `{"Tags":{"a":"b"}}`, "ValidationException", "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null"},
		{"TagResource", `{"ResourceARN":` + arn + `}`, "ValidationException", "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null"},
		{"UntagResource", `{"ResourceARN":` + arn + `}`, "ValidationException", "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null"},
		{"ListTagsForResource", `{}`, "ValidationException", "1 validation error detected: Value null at 'resourceARN' failed to satisfy constraint: Member must not be null"},
		{"TagResource", `{"ResourceARN":` + arn + `,"Tags":["a"]}`, "SerializationException", "Start of list found where not expected"},
		{"UntagResource", `{"ResourceARN":` + arn + `,"TagKeys":"a"}`, "SerializationException", "class java.lang.String can not be converted to a list"},
		{"ListTagsForResource", `{"ResourceARN":true}`, "SerializationException", "class java.lang.Boolean can not be converted to a String"},
	}
	for _, tt := range errs {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			checkErrorResponse(t, rawCall(t, url, http.MethodPost, tt.op, tt.body, false), http.StatusBadRequest, tt.typ, tt.msg)
		})
	}
	// TagResource and UntagResource answer with an empty body;
	// ListTagsForResource with the list, empty or not. StreamId is ignored.
	for _, op := range []struct{ op, body, want string }{
		{"ListTagsForResource", `{"ResourceARN":` + arn + `}`, `{"Tags":[]}`},
		{"TagResource", `{"ResourceARN":` + arn + `,"Tags":{"a":"b"},"StreamId":"abcdefghij0123456789-abc"}`, ``},
		{"ListTagsForResource", `{"ResourceARN":` + arn + `}`, `{"Tags":[{"Key":"a","Value":"b"}]}`},
		{"UntagResource", `{"ResourceARN":` + arn + `,"TagKeys":["a"]}`, ``},
	} {
		r := rawCall(t, url, http.MethodPost, op.op, op.body, false)
		if r.status != http.StatusOK || string(r.body) != op.want {
			t.Errorf("%s %s: %d %q, want 200 %q", op.op, op.body, r.status, r.body, op.want)
		}
	}
}
