package kds_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of tagging by ARN: TagResource, UntagResource and
// ListTagsForResource on streams and consumers, and consumers' tags from
// RegisterStreamConsumer.

// resourceARNConstraint is the violation of a malformed ResourceARN.
const resourceARNConstraint = `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:.*(stream|channel)/\S+`

// resourceTags returns every tag of the resource arn, failing the test on
// error.
func resourceTags(t *testing.T, svc *kds.Service, arn string) map[string]string {
	t.Helper()
	out, err := svc.ListTagsForResource(ctx, kds.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatalf("ListTagsForResource(%s): %v", arn, err)
	}
	tags := map[string]string{}
	for i, tag := range out.Tags {
		if i > 0 && out.Tags[i-1].Key >= tag.Key {
			t.Fatalf("ListTagsForResource(%s) is not in key order: %v", arn, out.Tags)
		}
		tags[tag.Key] = tag.Value
	}
	return tags
}

// tagResource calls TagResource, failing the test on error.
func tagResource(t *testing.T, svc *kds.Service, arn string, tags map[string]string) {
	t.Helper()
	if _, err := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: arn, Tags: tags}); err != nil {
		t.Fatalf("TagResource(%s, %v): %v", arn, tags, err)
	}
}

// untagResource calls UntagResource, failing the test on error.
func untagResource(t *testing.T, svc *kds.Service, arn string, keys ...string) {
	t.Helper()
	if _, err := svc.UntagResource(ctx, kds.UntagResourceInput{ResourceARN: arn, TagKeys: keys}); err != nil {
		t.Fatalf("UntagResource(%s, %v): %v", arn, keys, err)
	}
}

// wantTags fails the test unless got equals want.
func wantTags(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Fatalf("%s: tags = %v, want %v", what, got, want)
	}
}

// A stream has one set of tags, whichever operations change it.
func TestStreamTagsByARN(t *testing.T) {
	svc, _ := newService(t)
	createStreamWith(t, svc, kds.CreateStreamInput{StreamName: "s", ShardCount: 1, Tags: map[string]string{"created": "yes"}})
	arn := streamARN("s")
	wantTags(t, "from CreateStream", resourceTags(t, svc, arn), map[string]string{"created": "yes"})
	tagResource(t, svc, arn, map[string]string{"env": "prod", "team": "data", "empty": ""})
	wantTags(t, "TagResource seen by ListTagsForStream", listTags(t, svc, "s"),
		map[string]string{"created": "yes", "env": "prod", "team": "data", "empty": ""})
	addTags(t, svc, "s", map[string]string{"env": "staging"})
	untagResource(t, svc, arn, "team", "absent")
	if _, err := svc.RemoveTagsFromStream(ctx, kds.RemoveTagsFromStreamInput{StreamName: "s", TagKeys: []string{"created"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"env": "staging", "empty": ""}
	wantTags(t, "by ARN", resourceTags(t, svc, arn), want)
	wantTags(t, "by name", listTags(t, svc, "s"), want)

	out, err := svc.ListTagsForResource(ctx, kds.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(out.Tags); got != "[{empty } {env staging}]" {
		t.Fatalf("ListTagsForResource = %s, want the tags in key order", got)
	}
	untagResource(t, svc, arn, "env", "empty")
	out, err = svc.ListTagsForResource(ctx, kds.ListTagsForResourceInput{ResourceARN: arn})
	if err != nil || out.Tags == nil || len(out.Tags) != 0 {
		t.Fatalf("ListTagsForResource of an untagged stream = %#v, %v; want an empty list", out.Tags, err)
	}
}

// A consumer's tags are its own: from RegisterStreamConsumer, TagResource
// and UntagResource, apart from its stream's and other consumers'.
func TestConsumerTags(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	addTags(t, svc, "s", map[string]string{"stream": "tag"})
	in := kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c", Tags: map[string]string{"app": "billing", "env": "prod"}}
	out, err := svc.RegisterStreamConsumer(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Tags["app"] = "changed after the call"
	c := out.Consumer.ConsumerARN
	d := efoRegister(t, svc, "s", "d").ConsumerARN
	wantTags(t, "registered with tags", resourceTags(t, svc, c), map[string]string{"app": "billing", "env": "prod"})
	wantTags(t, "registered without tags", resourceTags(t, svc, d), map[string]string{})

	tagResource(t, svc, c, map[string]string{"env": "staging", "owner": "ana@example.com"})
	untagResource(t, svc, c, "app", "absent")
	tagResource(t, svc, d, map[string]string{"other": "consumer"})
	wantTags(t, "consumer c", resourceTags(t, svc, c), map[string]string{"env": "staging", "owner": "ana@example.com"})
	wantTags(t, "consumer d", resourceTags(t, svc, d), map[string]string{"other": "consumer"})
	wantTags(t, "stream", resourceTags(t, svc, streamARN("s")), map[string]string{"stream": "tag"})
	wantTags(t, "stream by name", listTags(t, svc, "s"), map[string]string{"stream": "tag"})
}

func TestConsumerTagLimit(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	fifty := map[string]string{}
	for i := range 50 {
		fifty[fmt.Sprintf("k%02d", i)] = "v"
	}
	c := efoRegister(t, svc, "s", "c").ConsumerARN
	tagResource(t, svc, c, fifty)
	tooMany := func(consumer string) string {
		return "Failed to add tags to consumer " + consumer + " under stream s under account 000000000000 because a given consumer cannot have more than 50 tags associated with it."
	}
	_, err := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: c, Tags: map[string]string{"k00": "new", "k50": "v"}})
	wantErr(t, err, kds.ErrInvalidArgument, tooMany("c"))
	wantTags(t, "after a rejected TagResource", resourceTags(t, svc, c), fifty)
	// The stream's own limit is apart from its consumers'.
	tagResource(t, svc, streamARN("s"), fifty)

	fiftyOne := maps.Clone(fifty)
	fiftyOne["k50"] = "v"
	_, err = svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "d", Tags: fiftyOne})
	wantErr(t, err, kds.ErrInvalidArgument, tooMany("d"))
	if n := consumerCount(t, svc, "s"); n != 1 {
		t.Fatalf("%d consumers after a registration with too many tags, want 1", n)
	}
}

// The tag rules of AddTagsToStream hold for TagResource and
// RegisterStreamConsumer, with the consumer named in the messages.
func TestConsumerTagsValidation(t *testing.T) {
	long := strings.Repeat("k", 129)
	invalidChars := "Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."
	percent := "Failed to add tags to consumer c under stream s under account 000000000000 because some tags contained illegal characters. " +
		"The allowed characters are Unicode letters, white-spaces, '_',',','/','=','+','-','@'."
	reserved := "Failed to add tags to consumer c under stream s under account 000000000000 because tag keys beginning with aws: are reserved for AWS use."
	keyLength := "Map keys must satisfy constraint: [" + lengthAtMost(128) + ", " + lengthAtLeast(1) + "]"
	tests := []struct {
		name string
		tags map[string]string
		code *kds.Error // nil: accepted
		msg  string
	}{
		{"allowed punctuation", map[string]string{"a_b.c:d/e=f+g-h@i": "x y_z", "ключ": "значение"}, nil, ""},
		{"empty map", map[string]string{}, kds.ErrValidation, oneViolation("'{}'", "tags", lengthAtLeast(1))},
		{"key of 129", map[string]string{long: "v"}, kds.ErrValidation, oneViolation("'{"+long+"=v}'", "tags", keyLength)},
		{"semicolon", map[string]string{"a;b": "v"}, kds.ErrInvalidArgument, invalidChars},
		{"percent", map[string]string{"k": "50%"}, kds.ErrInvalidArgument, percent},
		{"aws: prefix", map[string]string{"AWS:owner": "v"}, kds.ErrInvalidArgument, reserved},
	}
	for _, tt := range tests {
		t.Run("TagResource "+tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			efoStream(t, svc, "s", 1)
			c := efoRegister(t, svc, "s", "c").ConsumerARN
			_, err := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: c, Tags: tt.tags})
			if tt.code == nil {
				if err != nil {
					t.Fatal(err)
				}
				wantTags(t, "accepted", resourceTags(t, svc, c), tt.tags)
				return
			}
			wantErr(t, err, tt.code, tt.msg)
			wantTags(t, "rejected", resourceTags(t, svc, c), map[string]string{})
		})
		t.Run("RegisterStreamConsumer "+tt.name, func(t *testing.T) {
			svc, _ := newService(t)
			efoStream(t, svc, "s", 1)
			out, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c", Tags: tt.tags})
			if tt.code == nil {
				if err != nil {
					t.Fatal(err)
				}
				wantTags(t, "accepted", resourceTags(t, svc, out.Consumer.ConsumerARN), tt.tags)
				return
			}
			wantErr(t, err, tt.code, tt.msg)
			if n := consumerCount(t, svc, "s"); n != 0 {
				t.Fatalf("a registration with invalid tags registered %d consumers", n)
			}
		})
	}
}

func TestResourceARNValidation(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	long := streamARN(strings.Repeat("s", 2048))
	channel := "arn:aws:kinesis:us-east-1:" + testAccount + ":channel/x"
	tests := []struct {
		name, arn string
		want      []string
	}{
		{"missing", "", []string{violation("null", "resourceARN", notNull)}},
		{"not an ARN", "s", []string{violation("'s'", "resourceARN", resourceARNConstraint)}},
		{"short account", "arn:aws:kinesis:us-east-1:123:stream/s", []string{violation("'arn:aws:kinesis:us-east-1:123:stream/s'", "resourceARN", resourceARNConstraint)}},
		{"other service", "arn:aws:sqs:us-east-1:" + testAccount + ":stream/s", []string{violation("'arn:aws:sqs:us-east-1:"+testAccount+":stream/s'", "resourceARN", resourceARNConstraint)}},
		{"bad stream name", streamARN("a#b"), []string{violation("'"+streamARN("a#b")+"'", "resourceARN", resourceARNConstraint)}},
		{"consumer without time", streamARN("s") + "/consumer/c", []string{violation("'"+streamARN("s")+"/consumer/c'", "resourceARN", resourceARNConstraint)}},
		// kds has no channels, and takes only what it can address.
		{"channel", channel, []string{violation("'"+channel+"'", "resourceARN", resourceARNConstraint)}},
		{"too long", long, []string{violation("'"+long+"'", "resourceARN", lengthAtMost(2048)), violation("'"+long+"'", "resourceARN", resourceARNConstraint)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: tt.arn, Tags: map[string]string{"a": "b"}})
			wantViolations(t, err, tt.want...)
			_, err = svc.UntagResource(ctx, kds.UntagResourceInput{ResourceARN: tt.arn, TagKeys: []string{"a"}})
			wantViolations(t, err, tt.want...)
			_, err = svc.ListTagsForResource(ctx, kds.ListTagsForResourceInput{ResourceARN: tt.arn})
			wantViolations(t, err, tt.want...)
		})
	}
	// The ARN's violations come with those of the other members, even
	// for a resource that does not exist.
	_, err := svc.TagResource(ctx, kds.TagResourceInput{Tags: map[string]string{}})
	wantViolations(t, err, violation("null", "resourceARN", notNull), violation("'{}'", "tags", lengthAtLeast(1)))
	_, err = svc.UntagResource(ctx, kds.UntagResourceInput{ResourceARN: "s"})
	wantViolations(t, err, violation("'s'", "resourceARN", resourceARNConstraint), violation("null", "tagKeys", notNull))
	_, err = svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: streamARN("nope")})
	wantViolations(t, err, violation("null", "tags", notNull))
}

func TestUntagResourceValidation(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	c := efoRegister(t, svc, "s", "c").ConsumerARN
	keys51 := make([]string, 51)
	for i := range keys51 {
		keys51[i] = fmt.Sprint(i)
	}
	tests := []struct {
		name string
		keys []string
		code *kds.Error
		msg  string
	}{
		{"no keys", []string{}, kds.ErrValidation, oneViolation("'[]'", "tagKeys", lengthAtLeast(1))},
		{"51 keys", keys51, kds.ErrValidation, oneViolation("'["+strings.Join(keys51, ", ")+"]'", "tagKeys", lengthAtMost(50))},
		{"empty key", []string{""}, kds.ErrValidation, oneViolation("'[]'", "tagKeys",
			"Member must satisfy constraint: ["+lengthAtMost(128)+", "+lengthAtLeast(1)+"]")},
		{"invalid character", []string{"a;b"}, kds.ErrInvalidArgument,
			"Some tags contain invalid characters. Valid characters: Unicode letters, digits, white space, _ . / = + - % @."},
	}
	for _, tt := range tests {
		for _, arn := range []string{streamARN("s"), c} {
			t.Run(tt.name+" "+arn, func(t *testing.T) {
				_, err := svc.UntagResource(ctx, kds.UntagResourceInput{ResourceARN: arn, TagKeys: tt.keys})
				wantErr(t, err, tt.code, tt.msg)
			})
		}
	}
	// Fifty keys are fine.
	untagResource(t, svc, c, keys51[:50]...)
}

func TestTagResourceNotFound(t *testing.T) {
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	c := efoRegister(t, svc, "s", "c")
	clock.Advance(time.Second)
	unknown := efoARN("s", "x", testStart)
	stale := efoARN("s", "c", testStart.Add(-time.Second)) // c, but not this registration
	tests := []struct{ name, arn, msg string }{
		{"unknown stream", streamARN("nope"), notFound("nope")},
		{"other account", "arn:aws:kinesis:us-east-1:111111111111:stream/s", "Stream s under account 111111111111 not found."},
		{"other region", "arn:aws:kinesis:eu-west-1:" + testAccount + ":stream/s", "Stream s under account " + testAccount + " not found."},
		{"unknown consumer", unknown, "Consumer " + unknown + " under stream s under account " + testAccount + " not found."},
		{"earlier registration", stale, "Consumer " + stale + " under stream s under account " + testAccount + " not found."},
		{"consumer of unknown stream", efoARN("nope", "c", testStart), notFound("nope")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: tt.arn, Tags: map[string]string{"a": "b"}})
			wantErr(t, err, kds.ErrResourceNotFound, tt.msg)
			_, err = svc.UntagResource(ctx, kds.UntagResourceInput{ResourceARN: tt.arn, TagKeys: []string{"a"}})
			wantErr(t, err, kds.ErrResourceNotFound, tt.msg)
			_, err = svc.ListTagsForResource(ctx, kds.ListTagsForResourceInput{ResourceARN: tt.arn})
			wantErr(t, err, kds.ErrResourceNotFound, tt.msg)
		})
	}
	wantTags(t, "consumer c", resourceTags(t, svc, c.ConsumerARN), map[string]string{})
}

// A stream's tags change only while it is ACTIVE or UPDATING, by ARN or
// by name; they can be listed in any state.
func TestStreamTagsNeedActiveStream(t *testing.T) {
	const delay = time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	createStreamWith(t, svc, kds.CreateStreamInput{StreamName: "s", ShardCount: 2, Tags: map[string]string{"k": "v"}})
	arn := streamARN("s")
	change := func() []error {
		_, tagErr := svc.TagResource(ctx, kds.TagResourceInput{ResourceARN: arn, Tags: map[string]string{"a": "1"}})
		_, untagErr := svc.UntagResource(ctx, kds.UntagResourceInput{ResourceARN: arn, TagKeys: []string{"a"}})
		_, addErr := svc.AddTagsToStream(ctx, kds.AddTagsToStreamInput{StreamName: "s", Tags: map[string]string{"b": "2"}})
		_, removeErr := svc.RemoveTagsFromStream(ctx, kds.RemoveTagsFromStreamInput{StreamName: "s", TagKeys: []string{"b"}})
		return []error{tagErr, untagErr, addErr, removeErr}
	}
	for _, err := range change() {
		wantErr(t, err, kds.ErrResourceInUse, "Stream s under account "+testAccount+" not ACTIVE, instead in state CREATING")
	}
	wantTags(t, "CREATING", resourceTags(t, svc, arn), map[string]string{"k": "v"})
	clock.Advance(delay)
	for _, err := range change() {
		if err != nil {
			t.Fatalf("ACTIVE: %v", err)
		}
	}
	if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "s", ShardToSplit: "0", NewStartingHashKey: "1000"}); err != nil {
		t.Fatal(err)
	}
	for _, err := range change() {
		if err != nil {
			t.Fatalf("UPDATING: %v", err)
		}
	}
	clock.Advance(delay)
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
		t.Fatal(err)
	}
	for _, err := range change() {
		wantErr(t, err, kds.ErrResourceInUse, "Stream s under account "+testAccount+" not ACTIVE, instead in state DELETING")
	}
	wantTags(t, "DELETING", resourceTags(t, svc, arn), map[string]string{"k": "v"})
}

// A consumer's tags can change from registration on, and go when the
// consumer does: a consumer registered again under the same name starts
// with none.
func TestConsumerTagsGoWithConsumer(t *testing.T) {
	const delay = time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	efoStream(t, svc, "s", 1)
	clock.Advance(delay)
	out, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c", Tags: map[string]string{"a": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Consumer.ConsumerARN
	if out.Consumer.ConsumerStatus != kds.ConsumerStatusCreating {
		t.Fatalf("consumer is %s, want CREATING", out.Consumer.ConsumerStatus)
	}
	tagResource(t, svc, c, map[string]string{"b": "2"})
	wantTags(t, "CREATING", resourceTags(t, svc, c), map[string]string{"a": "1", "b": "2"})
	clock.Advance(delay)
	efoDeregister(t, svc, c)
	wantTags(t, "DELETING", resourceTags(t, svc, c), map[string]string{"a": "1", "b": "2"})
	clock.Advance(delay)
	_, err = svc.ListTagsForResource(ctx, kds.ListTagsForResourceInput{ResourceARN: c})
	wantErr(t, err, kds.ErrResourceNotFound, "Consumer "+c+" under stream s under account "+testAccount+" not found.")
	again := efoRegister(t, svc, "s", "c").ConsumerARN
	wantTags(t, "registered again", resourceTags(t, svc, again), map[string]string{})
}
