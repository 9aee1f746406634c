package kinesisapi_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// tagPairs renders tags as key=value strings.
func tagPairs(tags []types.Tag) []string {
	out := make([]string, len(tags))
	for i, tg := range tags {
		out[i] = aws.ToString(tg.Key) + "=" + aws.ToString(tg.Value)
	}
	return out
}

func TestTags(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	_, err := c.CreateStream(ctx, &kinesis.CreateStreamInput{StreamName: aws.String("s"), ShardCount: aws.Int32(1), Tags: map[string]string{"b": "2"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: map[string]string{"a": "1", "c": "", "d": "4"}})
	if err != nil {
		t.Fatal(err)
	}

	out, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s"), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagPairs(out.Tags)); got != "[a=1 b=2]" || !*out.HasMoreTags {
		t.Errorf("first page = %s, more %v", got, *out.HasMoreTags)
	}
	out, err = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s"), ExclusiveStartTagKey: aws.String("b")})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagPairs(out.Tags)); got != "[c= d=4]" || *out.HasMoreTags {
		t.Errorf("after b = %s, more %v", got, *out.HasMoreTags)
	}

	_, err = c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("s"), TagKeys: []string{"a", "d", "absent"}})
	if err != nil {
		t.Fatal(err)
	}
	out, err = c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagPairs(out.Tags)); got != "[b=2 c=]" || *out.HasMoreTags {
		t.Errorf("after removal = %s, more %v", got, *out.HasMoreTags)
	}
}

func TestTagErrors(t *testing.T) {
	c, _, _ := newTestServer(t)
	ctx := context.Background()
	createStream(t, c, "s", 1)
	add := func(tags map[string]string) error {
		_, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("s"), Tags: tags})
		return err
	}
	many := make(map[string]string)
	for i := range 51 {
		many[fmt.Sprintf("k%02d", i)] = "v"
	}
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"invalid character", add(map[string]string{"k": "a;b"}), "InvalidArgumentException",
			"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
		{"percent sign", add(map[string]string{"k": "50%"}), "InvalidArgumentException",
			"Failed to add tags to stream s under account 000000000000 because some tags contained illegal characters. The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."},
		{"more than 50 tags", add(many), "InvalidArgumentException",
			"Failed to add tags to stream s under account 000000000000 because a given stream cannot have more than 50 tags associated with it."},
		{"no tags", add(map[string]string{}), "ValidationException",
			"1 validation error detected: Value '{}' at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"missing stream", func() error {
			_, err := c.AddTagsToStream(ctx, &kinesis.AddTagsToStreamInput{StreamName: aws.String("nope"), Tags: map[string]string{"a": "b"}})
			return err
		}(), "ResourceNotFoundException", "Stream nope under account 000000000000 not found."},
		{"remove no keys", func() error {
			_, err := c.RemoveTagsFromStream(ctx, &kinesis.RemoveTagsFromStreamInput{StreamName: aws.String("s"), TagKeys: []string{}})
			return err
		}(), "ValidationException", "1 validation error detected: Value '[]' at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"list with limit zero", func() error {
			_, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s"), Limit: aws.Int32(0)})
			return err
		}(), "ValidationException", "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"list with limit 51", func() error {
			_, err := c.ListTagsForStream(ctx, &kinesis.ListTagsForStreamInput{StreamName: aws.String("s"), Limit: aws.Int32(51)})
			return err
		}(), "ValidationException", "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkAPIError(t, tt.err, tt.code, tt.msg) })
	}
}
