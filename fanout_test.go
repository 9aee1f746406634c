package kds_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// Tests of enhanced fan-out consumer registration: RegisterStreamConsumer,
// DescribeStreamConsumer, DeregisterStreamConsumer, ListStreamConsumers,
// and how consumers interact with DeleteStream and DescribeStreamSummary.

const (
	// streamARNConstraint is the violation of a malformed StreamARN.
	streamARNConstraint = `Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\d{12}:stream/\S+`
	// consumerARNConstraint is the violation of a malformed ConsumerARN.
	consumerARNConstraint = `Member must satisfy regular expression pattern: ^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+$`
)

// efoStream creates a provisioned stream and deletes it, consumers and
// all, when the test ends (if it still exists then). createStream's
// cleanup would fail on a stream that still has consumers.
func efoStream(t *testing.T, svc *kds.Service, name string, shards int) {
	t.Helper()
	if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
		t.Fatalf("CreateStream(%q): %v", name, err)
	}
	t.Cleanup(func() {
		_, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: name, EnforceConsumerDeletion: true})
		if err != nil && !errors.Is(err, kds.ErrResourceNotFound) {
			t.Errorf("cleanup DeleteStream(%q): %v", name, err)
		}
	})
}

// efoRegister registers a consumer on a stream of the default Service.
func efoRegister(t *testing.T, svc *kds.Service, stream, name string) kds.Consumer {
	t.Helper()
	out, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN(stream), ConsumerName: name})
	if err != nil {
		t.Fatalf("RegisterStreamConsumer(%s, %s): %v", stream, name, err)
	}
	return out.Consumer
}

// efoDescribe describes a consumer, failing the test on error.
func efoDescribe(t *testing.T, svc *kds.Service, in kds.DescribeStreamConsumerInput) kds.ConsumerDescription {
	t.Helper()
	out, err := svc.DescribeStreamConsumer(ctx, in)
	if err != nil {
		t.Fatalf("DescribeStreamConsumer(%+v): %v", in, err)
	}
	return out.ConsumerDescription
}

// efoStatus returns a consumer's status, addressed by ARN.
func efoStatus(t *testing.T, svc *kds.Service, arn string) kds.ConsumerStatus {
	t.Helper()
	return efoDescribe(t, svc, kds.DescribeStreamConsumerInput{ConsumerARN: arn}).ConsumerStatus
}

// efoDeregister deregisters a consumer by ARN, failing the test on error.
func efoDeregister(t *testing.T, svc *kds.Service, arn string) {
	t.Helper()
	if _, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: arn}); err != nil {
		t.Fatalf("DeregisterStreamConsumer(%s): %v", arn, err)
	}
}

// efoList lists every consumer of a stream, following NextToken with
// pages of maxResults, and returns the consumers and the page sizes.
func efoList(t *testing.T, svc *kds.Service, stream string, maxResults int) ([]kds.Consumer, []int) {
	t.Helper()
	var all []kds.Consumer
	var sizes []int
	tok := ""
	for range 1000 {
		out, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN(stream), MaxResults: maxResults, NextToken: tok})
		if err != nil {
			t.Fatalf("ListStreamConsumers(%s, MaxResults %d, token %q): %v", stream, maxResults, tok, err)
		}
		all = append(all, out.Consumers...)
		sizes = append(sizes, len(out.Consumers))
		if out.NextToken == "" {
			return all, sizes
		}
		tok = out.NextToken
	}
	t.Fatalf("ListStreamConsumers(%s) did not stop paging", stream)
	return nil, nil
}

// efoNames returns the names of consumers.
func efoNames(cs []kds.Consumer) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ConsumerName
	}
	return out
}

// efoARN is the ARN Kinesis gives consumer name of a stream registered
// at time at.
func efoARN(stream, name string, at time.Time) string {
	return streamARN(stream) + "/consumer/" + name + ":" + strconv.FormatInt(at.Unix(), 10)
}

// consumerCount returns DescribeStreamSummary's ConsumerCount.
func consumerCount(t *testing.T, svc *kds.Service, stream string) int {
	t.Helper()
	out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: stream})
	if err != nil {
		t.Fatalf("DescribeStreamSummary(%q): %v", stream, err)
	}
	return out.StreamDescriptionSummary.ConsumerCount
}

func TestRegisterStreamConsumerStatusDelay(t *testing.T) {
	for _, delay := range []time.Duration{0, 500 * time.Millisecond, 3 * time.Second} {
		t.Run(delay.String(), func(t *testing.T) {
			svc, clock := newService(t, kds.WithStatusDelay(delay))
			efoStream(t, svc, "s", 1)
			clock.Advance(delay) // the stream is ACTIVE
			now := clock.Now()
			c := efoRegister(t, svc, "s", "c")
			// The creation time is that of the ARN: whole seconds.
			created := now.Truncate(time.Second)
			want := kds.Consumer{ConsumerName: "c", ConsumerARN: efoARN("s", "c", now), ConsumerStatus: kds.ConsumerStatusCreating, ConsumerCreationTimestamp: created}
			if delay == 0 {
				want.ConsumerStatus = kds.ConsumerStatusActive
			}
			if c != want {
				t.Fatalf("RegisterStreamConsumer = %+v\nwant %+v", c, want)
			}
			d := efoDescribe(t, svc, kds.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
			wantD := kds.ConsumerDescription{ConsumerName: "c", ConsumerARN: c.ConsumerARN, ConsumerStatus: want.ConsumerStatus, ConsumerCreationTimestamp: created, StreamARN: streamARN("s")}
			if d != wantD {
				t.Fatalf("DescribeStreamConsumer = %+v\nwant %+v", d, wantD)
			}
			if delay == 0 {
				return
			}
			clock.Advance(delay - time.Millisecond)
			if st := efoStatus(t, svc, c.ConsumerARN); st != kds.ConsumerStatusCreating {
				t.Fatalf("1 ms before the delay: status %s, want CREATING", st)
			}
			clock.Advance(time.Millisecond)
			if st := efoStatus(t, svc, c.ConsumerARN); st != kds.ConsumerStatusActive {
				t.Fatalf("after the delay: status %s, want ACTIVE", st)
			}
			listed, _ := efoList(t, svc, "s", 0)
			if len(listed) != 1 || listed[0].ConsumerStatus != kds.ConsumerStatusActive || listed[0].ConsumerARN != c.ConsumerARN {
				t.Fatalf("ListStreamConsumers = %+v, want c ACTIVE", listed)
			}
		})
	}
}

func TestConsumerARN(t *testing.T) {
	// The ARN embeds the registration time in whole Unix seconds.
	start := testStart.Add(1500 * time.Millisecond)
	svc, _ := newServiceAt(t, start)
	efoStream(t, svc, "s", 1)
	c := efoRegister(t, svc, "s", "my_consumer-1.x")
	want := "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/my_consumer-1.x:" + strconv.FormatInt(testStart.Unix()+1, 10)
	if c.ConsumerARN != want {
		t.Fatalf("ConsumerARN = %s, want %s", c.ConsumerARN, want)
	}
	// The same name on another stream is another consumer.
	efoStream(t, svc, "t", 1)
	if other := efoRegister(t, svc, "t", "my_consumer-1.x"); other.ConsumerARN == c.ConsumerARN || !strings.HasPrefix(other.ConsumerARN, streamARN("t")+"/consumer/") {
		t.Fatalf("consumer of stream t has ARN %s", other.ConsumerARN)
	}
}

func TestReregisteredConsumerGetsNewARN(t *testing.T) {
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	old := efoRegister(t, svc, "s", "c")
	efoDeregister(t, svc, old.ConsumerARN)
	clock.Advance(time.Second)
	c := efoRegister(t, svc, "s", "c")
	if c.ConsumerARN == old.ConsumerARN {
		t.Fatalf("re-registered consumer kept the ARN %s", old.ConsumerARN)
	}
	if want := efoARN("s", "c", clock.Now()); c.ConsumerARN != want {
		t.Fatalf("re-registered ARN %s, want %s", c.ConsumerARN, want)
	}
	// The old ARN names the deregistered consumer, not its successor.
	_, err := svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: old.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "Consumer "+old.ConsumerARN+" under stream s under account "+testAccount+" not found.")
	_, err = svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: old.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
	if d := efoDescribe(t, svc, kds.DescribeStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c"}); d.ConsumerARN != c.ConsumerARN {
		t.Fatalf("by name: ARN %s, want the new %s", d.ConsumerARN, c.ConsumerARN)
	}
}

func TestReregisterConsumerInSameSecondGetsNewARN(t *testing.T) {
	// With the default status delay of 0, a deregistered consumer is
	// gone at once, so its name can be registered again in the same
	// second of the clock.
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	old := efoRegister(t, svc, "s", "c")
	clock.Advance(100 * time.Millisecond)
	efoDeregister(t, svc, old.ConsumerARN)
	c := efoRegister(t, svc, "s", "c")
	if c.ConsumerARN == old.ConsumerARN {
		t.Fatalf("re-registering %q in the same second reused its ARN %s", "c", c.ConsumerARN)
	}
	_, err := svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: old.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
}

func TestRegisterStreamConsumerDuplicateName(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	efoStream(t, svc, "t", 1)
	c := efoRegister(t, svc, "s", "c")
	_, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c"})
	wantErr(t, err, kds.ErrResourceInUse, "Consumer c under stream s under account "+testAccount+" already exists.")
	// Names are unique per stream only.
	efoRegister(t, svc, "t", "c")
	if got, _ := efoList(t, svc, "s", 0); len(got) != 1 || got[0].ConsumerARN != c.ConsumerARN {
		t.Fatalf("stream s lists %+v, want only the first c", got)
	}
}

func TestRegisterStreamConsumerPerStreamLimit(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	efoStream(t, svc, "t", 1)
	var first kds.Consumer
	for i := range kds.MaxConsumersPerStream {
		c := efoRegister(t, svc, "s", "c"+strconv.Itoa(i))
		if i == 0 {
			first = c
		}
	}
	_, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "extra"})
	wantErr(t, err, kds.ErrLimitExceeded, "Stream s under account "+testAccount+" already has 20 registered consumers, the most allowed.")
	if n := consumerCount(t, svc, "s"); n != kds.MaxConsumersPerStream {
		t.Fatalf("ConsumerCount = %d after the refused registration, want %d", n, kds.MaxConsumersPerStream)
	}
	// The limit is per stream.
	efoRegister(t, svc, "t", "extra")
	// Deregistering one makes room.
	efoDeregister(t, svc, first.ConsumerARN)
	efoRegister(t, svc, "s", "extra")
}

func TestRegisterStreamConsumerCreatingLimit(t *testing.T) {
	const delay = 2 * time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	efoStream(t, svc, "s", 1)
	efoStream(t, svc, "t", 1)
	clock.Advance(delay)
	var arns []string
	for _, r := range []struct{ stream, name string }{{"s", "a"}, {"s", "b"}, {"s", "c"}, {"t", "d"}, {"t", "e"}} {
		arns = append(arns, efoRegister(t, svc, r.stream, r.name).ConsumerARN)
	}
	// Five are CREATING in the account, over two streams: a sixth
	// fails on either stream.
	limitMsg := "Account " + testAccount + " already has 5 consumers in CREATING state, the most allowed at once."
	for _, stream := range []string{"s", "t"} {
		_, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN(stream), ConsumerName: "f"})
		wantErr(t, err, kds.ErrLimitExceeded, limitMsg)
	}
	clock.Advance(delay - time.Millisecond)
	_, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("t"), ConsumerName: "f"})
	wantErr(t, err, kds.ErrLimitExceeded, limitMsg)
	// Once they are ACTIVE, registering works again, up to five more.
	clock.Advance(time.Millisecond)
	for i := range kds.MaxCreatingConsumers {
		efoRegister(t, svc, []string{"s", "t"}[i%2], "g"+strconv.Itoa(i))
	}
	_, err = svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "h"})
	wantErr(t, err, kds.ErrLimitExceeded, limitMsg)
	// DELETING consumers are not CREATING.
	clock.Advance(delay)
	for _, arn := range arns {
		efoDeregister(t, svc, arn)
	}
	for i := range kds.MaxCreatingConsumers {
		efoRegister(t, svc, []string{"s", "t"}[i%2], "h"+strconv.Itoa(i))
	}
}

func TestRegisterStreamConsumerValidation(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	long := strings.Repeat("c", 129)
	arn := streamARN("s")
	tests := []struct {
		name string
		in   kds.RegisterStreamConsumerInput
		want []string
	}{
		{"empty", kds.RegisterStreamConsumerInput{},
			[]string{violation("null", "consumerName", notNull), violation("null", "streamARN", notNull)}},
		{"no name", kds.RegisterStreamConsumerInput{StreamARN: arn},
			[]string{violation("null", "consumerName", notNull)}},
		{"no ARN", kds.RegisterStreamConsumerInput{ConsumerName: "c"},
			[]string{violation("null", "streamARN", notNull)}},
		{"bad name", kds.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: "my consumer"},
			[]string{violation("'my consumer'", "consumerName", namePattern)}},
		{"slash in name", kds.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: "a/b"},
			[]string{violation("'a/b'", "consumerName", namePattern)}},
		{"long name", kds.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: long},
			[]string{violation("'"+long+"'", "consumerName", lengthAtMost(128))}},
		{"long bad name", kds.RegisterStreamConsumerInput{StreamARN: arn, ConsumerName: long + "!"},
			[]string{violation("'"+long+"!'", "consumerName", lengthAtMost(128)), violation("'"+long+"!'", "consumerName", namePattern)}},
		{"bad ARN", kds.RegisterStreamConsumerInput{StreamARN: "s", ConsumerName: "c"},
			[]string{violation("'s'", "streamARN", streamARNConstraint)}},
		{"bad account", kds.RegisterStreamConsumerInput{StreamARN: "arn:aws:kinesis:us-east-1:123:stream/s", ConsumerName: "c"},
			[]string{violation("'arn:aws:kinesis:us-east-1:123:stream/s'", "streamARN", streamARNConstraint)}},
		{"consumer ARN as stream ARN", kds.RegisterStreamConsumerInput{StreamARN: efoARN("s", "x", testStart), ConsumerName: "c"},
			[]string{violation("'"+efoARN("s", "x", testStart)+"'", "streamARN", streamARNConstraint)}},
		{"bad name and ARN", kds.RegisterStreamConsumerInput{StreamARN: "s", ConsumerName: "#"},
			[]string{violation("'#'", "consumerName", namePattern), violation("'s'", "streamARN", streamARNConstraint)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.RegisterStreamConsumer(ctx, tt.in)
			wantViolations(t, err, tt.want...)
		})
	}
	if n := consumerCount(t, svc, "s"); n != 0 {
		t.Fatalf("%d consumers registered by invalid requests", n)
	}
	// A name of 128 characters is fine.
	efoRegister(t, svc, "s", long[:128])
}

func TestRegisterStreamConsumerStreamNotFound(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	tests := []struct{ name, arn, msg string }{
		{"unknown stream", streamARN("nope"), notFound("nope")},
		{"other account", "arn:aws:kinesis:us-east-1:111111111111:stream/s", "Stream s under account 111111111111 not found."},
		{"other region", "arn:aws:kinesis:eu-west-1:" + testAccount + ":stream/s", ""},
		{"other partition", "arn:aws-cn:kinesis:us-east-1:" + testAccount + ":stream/s", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: tt.arn, ConsumerName: "c"})
			wantErr(t, err, kds.ErrResourceNotFound, tt.msg)
		})
	}
}

func TestRegisterStreamConsumerStreamStatus(t *testing.T) {
	const delay = time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	efoStream(t, svc, "s", 2)
	register := func(name string) error {
		_, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: name})
		return err
	}
	wantErr(t, register("a"), kds.ErrResourceInUse, "Stream s under account "+testAccount+" not ACTIVE, instead in state CREATING")
	clock.Advance(delay)
	if err := register("a"); err != nil {
		t.Fatalf("ACTIVE stream: %v", err)
	}
	// UPDATING is fine too.
	if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "s", ShardToSplit: "0", NewStartingHashKey: "1000"}); err != nil {
		t.Fatal(err)
	}
	if st := status(t, svc, "s"); st != kds.StreamStatusUpdating {
		t.Fatalf("stream is %s after SplitShard, want UPDATING", st)
	}
	if err := register("b"); err != nil {
		t.Fatalf("UPDATING stream: %v", err)
	}
	clock.Advance(delay)
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s", EnforceConsumerDeletion: true}); err != nil {
		t.Fatal(err)
	}
	wantErr(t, register("c"), kds.ErrResourceInUse, "Stream s under account "+testAccount+" not ACTIVE, instead in state DELETING")
	clock.Advance(delay)
	wantErr(t, register("c"), kds.ErrResourceNotFound, notFound("s"))
}

func TestDescribeStreamConsumerAddressing(t *testing.T) {
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	efoStream(t, svc, "t", 1)
	c := efoRegister(t, svc, "s", "c")
	efoRegister(t, svc, "s", "d")
	clock.Advance(time.Hour)
	arn, sARN := c.ConsumerARN, streamARN("s")
	want := kds.ConsumerDescription{ConsumerName: "c", ConsumerARN: arn, ConsumerStatus: kds.ConsumerStatusActive, ConsumerCreationTimestamp: testStart, StreamARN: sARN}
	for _, in := range []kds.DescribeStreamConsumerInput{
		{ConsumerARN: arn},
		{StreamARN: sARN, ConsumerName: "c"},
		{StreamARN: sARN, ConsumerName: "c", ConsumerARN: arn},
		{StreamARN: sARN, ConsumerARN: arn},
		{ConsumerName: "c", ConsumerARN: arn},
	} {
		if got := efoDescribe(t, svc, in); got != want {
			t.Errorf("DescribeStreamConsumer(%+v) = %+v\nwant %+v", in, got, want)
		}
	}
	refMsg := "ConsumerARN or both ConsumerName and StreamARN are required for this request."
	tests := []struct {
		name   string
		in     kds.DescribeStreamConsumerInput
		target *kds.Error
		msg    string
	}{
		{"nothing", kds.DescribeStreamConsumerInput{}, kds.ErrInvalidArgument, refMsg},
		{"stream only", kds.DescribeStreamConsumerInput{StreamARN: sARN}, kds.ErrInvalidArgument, refMsg},
		{"name only", kds.DescribeStreamConsumerInput{ConsumerName: "c"}, kds.ErrInvalidArgument, refMsg},
		{"ARN and other name", kds.DescribeStreamConsumerInput{ConsumerARN: arn, ConsumerName: "d"}, kds.ErrInvalidArgument, ""},
		{"ARN and other stream", kds.DescribeStreamConsumerInput{ConsumerARN: arn, StreamARN: streamARN("t")}, kds.ErrInvalidArgument, ""},
		{"ARN and other stream and name", kds.DescribeStreamConsumerInput{ConsumerARN: arn, StreamARN: streamARN("t"), ConsumerName: "c"}, kds.ErrInvalidArgument, ""},
		{"unknown name", kds.DescribeStreamConsumerInput{StreamARN: sARN, ConsumerName: "x"}, kds.ErrResourceNotFound,
			"Consumer x under stream s under account " + testAccount + " not found."},
		{"name on other stream", kds.DescribeStreamConsumerInput{StreamARN: streamARN("t"), ConsumerName: "c"}, kds.ErrResourceNotFound, ""},
		{"unknown ARN", kds.DescribeStreamConsumerInput{ConsumerARN: efoARN("s", "x", testStart)}, kds.ErrResourceNotFound, ""},
		{"ARN with other timestamp", kds.DescribeStreamConsumerInput{ConsumerARN: efoARN("s", "c", testStart.Add(time.Second))}, kds.ErrResourceNotFound, ""},
		{"ARN with other timestamp and name", kds.DescribeStreamConsumerInput{ConsumerARN: efoARN("s", "c", testStart.Add(-time.Second)), StreamARN: sARN, ConsumerName: "c"}, kds.ErrResourceNotFound, ""},
		{"ARN of unknown stream", kds.DescribeStreamConsumerInput{ConsumerARN: efoARN("nope", "c", testStart)}, kds.ErrResourceNotFound, notFound("nope")},
		{"unknown stream", kds.DescribeStreamConsumerInput{StreamARN: streamARN("nope"), ConsumerName: "c"}, kds.ErrResourceNotFound, notFound("nope")},
	}
	ops := []struct {
		name string
		call func(kds.DescribeStreamConsumerInput) error
	}{
		{"Describe", func(in kds.DescribeStreamConsumerInput) error {
			_, err := svc.DescribeStreamConsumer(ctx, in)
			return err
		}},
		{"Deregister", func(in kds.DescribeStreamConsumerInput) error {
			_, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput(in))
			return err
		}},
	}
	for _, op := range ops {
		for _, tt := range tests {
			t.Run(op.name+"/"+tt.name, func(t *testing.T) {
				wantErr(t, op.call(tt.in), tt.target, tt.msg)
			})
		}
	}
	// No failed Deregister touched c.
	if st := efoStatus(t, svc, arn); st != kds.ConsumerStatusActive {
		t.Fatalf("c is %s after failed deregistrations, want ACTIVE", st)
	}
}

func TestConsumerRefValidation(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	arn := efoRegister(t, svc, "s", "c").ConsumerARN
	long := strings.Repeat("c", 129)
	tests := []struct {
		name string
		in   kds.DescribeStreamConsumerInput
		want []string
	}{
		{"bad name", kds.DescribeStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c!"},
			[]string{violation("'c!'", "consumerName", namePattern)}},
		{"long name", kds.DescribeStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: long},
			[]string{violation("'"+long+"'", "consumerName", lengthAtMost(128))}},
		{"bad stream ARN", kds.DescribeStreamConsumerInput{StreamARN: "s", ConsumerName: "c"},
			[]string{violation("'s'", "streamARN", streamARNConstraint)}},
		{"stream ARN as consumer ARN", kds.DescribeStreamConsumerInput{ConsumerARN: streamARN("s")},
			[]string{violation("'"+streamARN("s")+"'", "consumerARN", consumerARNConstraint)}},
		{"no timestamp", kds.DescribeStreamConsumerInput{ConsumerARN: streamARN("s") + "/consumer/c"},
			[]string{violation("'"+streamARN("s")+"/consumer/c'", "consumerARN", consumerARNConstraint)}},
		{"bad timestamp", kds.DescribeStreamConsumerInput{ConsumerARN: streamARN("s") + "/consumer/c:x1"},
			[]string{violation("'"+streamARN("s")+"/consumer/c:x1'", "consumerARN", consumerARNConstraint)}},
		{"bad consumer name in ARN", kds.DescribeStreamConsumerInput{ConsumerARN: streamARN("s") + "/consumer/c d:1"},
			[]string{violation("'"+streamARN("s")+"/consumer/c d:1'", "consumerARN", consumerARNConstraint)}},
		{"bad ARN and name", kds.DescribeStreamConsumerInput{ConsumerARN: "x", ConsumerName: "c!"},
			[]string{violation("'c!'", "consumerName", namePattern), violation("'x'", "consumerARN", consumerARNConstraint)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.DescribeStreamConsumer(ctx, tt.in)
			wantViolations(t, err, tt.want...)
			_, err = svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput(tt.in))
			wantViolations(t, err, tt.want...)
		})
	}
	if st := efoStatus(t, svc, arn); st != kds.ConsumerStatusActive {
		t.Fatalf("c is %s, want ACTIVE", st)
	}
}

func TestDeregisterStreamConsumerLifecycle(t *testing.T) {
	const delay = 3 * time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	efoStream(t, svc, "s", 1)
	clock.Advance(delay)
	c := efoRegister(t, svc, "s", "c")
	d := efoRegister(t, svc, "s", "d")
	// A CREATING consumer cannot be deregistered.
	_, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	wantErr(t, err, kds.ErrResourceInUse, "Consumer c under stream s under account "+testAccount+" is not ACTIVE, instead in state CREATING.")
	clock.Advance(delay)
	// By name this time.
	if _, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c"}); err != nil {
		t.Fatalf("DeregisterStreamConsumer: %v", err)
	}
	if st := efoStatus(t, svc, c.ConsumerARN); st != kds.ConsumerStatusDeleting {
		t.Fatalf("after DeregisterStreamConsumer: %s, want DELETING", st)
	}
	listed, _ := efoList(t, svc, "s", 0)
	if len(listed) != 2 || listed[0].ConsumerName != "c" || listed[0].ConsumerStatus != kds.ConsumerStatusDeleting {
		t.Fatalf("ListStreamConsumers while c is DELETING: %+v", listed)
	}
	// DELETING: not again, and the name is still taken.
	_, err = svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	wantErr(t, err, kds.ErrResourceInUse, "Consumer c under stream s under account "+testAccount+" is not ACTIVE, instead in state DELETING.")
	_, err = svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c"})
	wantErr(t, err, kds.ErrResourceInUse, "")
	clock.Advance(delay - time.Millisecond)
	if st := efoStatus(t, svc, c.ConsumerARN); st != kds.ConsumerStatusDeleting {
		t.Fatalf("1 ms before the delay: %s, want DELETING", st)
	}
	clock.Advance(time.Millisecond)
	_, err = svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
	_, err = svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{StreamARN: streamARN("s"), ConsumerName: "c"})
	wantErr(t, err, kds.ErrResourceNotFound, "Consumer c under stream s under account "+testAccount+" not found.")
	_, err = svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
	if listed, _ := efoList(t, svc, "s", 0); !slices.Equal(efoNames(listed), []string{"d"}) {
		t.Fatalf("ListStreamConsumers after c is gone: %v, want [d]", efoNames(listed))
	}
	// The name is free again, under a new ARN.
	c2 := efoRegister(t, svc, "s", "c")
	if c2.ConsumerARN == c.ConsumerARN || c2.ConsumerStatus != kds.ConsumerStatusCreating {
		t.Fatalf("re-registered: %+v (old ARN %s)", c2, c.ConsumerARN)
	}
	if st := efoStatus(t, svc, d.ConsumerARN); st != kds.ConsumerStatusActive {
		t.Fatalf("d is %s, want ACTIVE", st)
	}
}

func TestDeregisterStreamConsumerNoDelay(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	c := efoRegister(t, svc, "s", "c")
	efoDeregister(t, svc, c.ConsumerARN)
	_, err := svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
	if listed, _ := efoList(t, svc, "s", 0); len(listed) != 0 {
		t.Fatalf("ListStreamConsumers = %+v, want none", listed)
	}
	if n := consumerCount(t, svc, "s"); n != 0 {
		t.Fatalf("ConsumerCount = %d, want 0", n)
	}
}

func TestListStreamConsumersPaging(t *testing.T) {
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	efoStream(t, svc, "t", 1)
	names := []string{"zulu", "alpha", "Bravo", "9lives", "_under", "alpha.2", "alpha-1"}
	for _, n := range names {
		efoRegister(t, svc, "s", n)
		clock.Advance(time.Second)
	}
	efoRegister(t, svc, "t", "other")
	want := slices.Sorted(slices.Values(names))
	for maxResults := range len(names) + 2 {
		got, sizes := efoList(t, svc, "s", maxResults)
		if !slices.Equal(efoNames(got), want) {
			t.Errorf("MaxResults %d: listed %v, want %v", maxResults, efoNames(got), want)
		}
		per := maxResults
		if per == 0 {
			per = len(names)
		}
		wantPages := (len(names) + per - 1) / per
		if len(sizes) != wantPages {
			t.Errorf("MaxResults %d: %d pages %v, want %d", maxResults, len(sizes), sizes, wantPages)
		}
		for i, n := range sizes[:len(sizes)-1] {
			if n != per {
				t.Errorf("MaxResults %d: page %d holds %d, want %d", maxResults, i, n, per)
			}
		}
	}
	// Each listed consumer is described in full.
	got, _ := efoList(t, svc, "s", 0)
	for _, c := range got {
		d := efoDescribe(t, svc, kds.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
		if d.ConsumerName != c.ConsumerName || !d.ConsumerCreationTimestamp.Equal(c.ConsumerCreationTimestamp) || d.ConsumerStatus != kds.ConsumerStatusActive {
			t.Errorf("listed %+v, described %+v", c, d)
		}
	}
	if _, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("s"), MaxResults: kds.MaxRequestLimit}); err != nil {
		t.Errorf("MaxResults %d: %v", kds.MaxRequestLimit, err)
	}
	// A listing goes on after the last name returned, even if that
	// consumer is gone by then, and shows consumers registered since.
	out, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("s"), MaxResults: 3})
	if err != nil {
		t.Fatal(err)
	}
	efoDeregister(t, svc, out.Consumers[2].ConsumerARN)
	efoRegister(t, svc, "s", "yankee")
	efoRegister(t, svc, "s", "Alpha") // sorts before the page
	rest, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("s"), NextToken: out.NextToken})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := efoNames(rest.Consumers), []string{"alpha", "alpha-1", "alpha.2", "yankee", "zulu"}; !slices.Equal(got, want) || rest.NextToken != "" {
		t.Fatalf("second page %v (token %q), want %v", got, rest.NextToken, want)
	}
}

func TestListStreamConsumersValidation(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	tests := []struct {
		name string
		in   kds.ListStreamConsumersInput
		want []string
	}{
		{"MaxResults -1", kds.ListStreamConsumersInput{StreamARN: streamARN("s"), MaxResults: -1},
			[]string{violation("'-1'", "maxResults", valueAtLeast(1))}},
		{"MaxResults 10001", kds.ListStreamConsumersInput{StreamARN: streamARN("s"), MaxResults: 10001},
			[]string{violation("'10001'", "maxResults", valueAtMost(10000))}},
		{"no stream", kds.ListStreamConsumersInput{},
			[]string{violation("null", "streamARN", notNull)}},
		{"token without stream", kds.ListStreamConsumersInput{NextToken: "x"},
			[]string{violation("null", "streamARN", notNull)}},
		{"bad ARN", kds.ListStreamConsumersInput{StreamARN: "s"},
			[]string{violation("'s'", "streamARN", streamARNConstraint)}},
		{"everything", kds.ListStreamConsumersInput{MaxResults: -5},
			[]string{violation("'-5'", "maxResults", valueAtLeast(1)), violation("null", "streamARN", notNull)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := svc.ListStreamConsumers(ctx, tt.in)
			wantViolations(t, err, tt.want...)
		})
	}
	_, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("nope")})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("nope"))
	out, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("s")})
	if err != nil || len(out.Consumers) != 0 || out.NextToken != "" {
		t.Fatalf("empty stream: %+v, %v", out, err)
	}
	if out.Consumers == nil {
		t.Errorf("empty stream: Consumers is nil, want an empty list")
	}
}

func TestListStreamConsumersNextToken(t *testing.T) {
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	efoStream(t, svc, "t", 2)
	for _, stream := range []string{"s", "t"} {
		for _, n := range []string{"a", "b", "c"} {
			efoRegister(t, svc, stream, n)
		}
	}
	first := func(stream string) string {
		t.Helper()
		out, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN(stream), MaxResults: 1})
		if err != nil || out.NextToken == "" {
			t.Fatalf("first page of %s: %+v, %v", stream, out, err)
		}
		return out.NextToken
	}
	list := func(stream, tok string) (kds.ListStreamConsumersOutput, error) {
		return svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN(stream), NextToken: tok, MaxResults: 1})
	}
	sTok := first("s")
	// A token of another stream, or of ListShards, is refused.
	_, err := list("t", sTok)
	wantErr(t, err, kds.ErrInvalidArgument, "Invalid NextToken.")
	shardsOut, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "t", MaxResults: 1})
	if err != nil || shardsOut.NextToken == "" {
		t.Fatalf("ListShards: %+v, %v", shardsOut, err)
	}
	_, err = list("t", shardsOut.NextToken)
	wantErr(t, err, kds.ErrInvalidArgument, "Invalid NextToken.")
	_, err = list("s", "garbage")
	wantErr(t, err, kds.ErrInvalidArgument, "Invalid NextToken.")
	_, err = list("s", sTok[:len(sTok)-2])
	wantErr(t, err, kds.ErrInvalidArgument, "Invalid NextToken.")
	// A token lasts 300 s.
	clock.Advance(kds.NextTokenLifetime)
	out, err := list("s", sTok)
	if err != nil || !slices.Equal(efoNames(out.Consumers), []string{"b"}) {
		t.Fatalf("token at exactly 300 s: %+v, %v", out, err)
	}
	clock.Advance(time.Second)
	_, err = list("s", sTok)
	wantErr(t, err, kds.ErrExpiredNextToken, "")
	// The token of the page read at 300 s is only 1 s old: it works.
	if out, err = list("s", out.NextToken); err != nil || !slices.Equal(efoNames(out.Consumers), []string{"c"}) || out.NextToken != "" {
		t.Fatalf("last page with a fresh token: %+v, %v", out, err)
	}
	tTok := first("t")
	// A token of a deleted stream's earlier incarnation is refused.
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "t", EnforceConsumerDeletion: true}); err != nil {
		t.Fatal(err)
	}
	efoStream(t, svc, "t", 1)
	efoRegister(t, svc, "t", "a")
	efoRegister(t, svc, "t", "b")
	_, err = list("t", tTok)
	wantErr(t, err, kds.ErrInvalidArgument, "Invalid NextToken.")
}

func TestListShardsRefusesConsumerToken(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 3)
	efoRegister(t, svc, "s", "a")
	efoRegister(t, svc, "s", "b")
	out, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("s"), MaxResults: 1})
	if err != nil || out.NextToken == "" {
		t.Fatalf("ListStreamConsumers: %+v, %v", out, err)
	}
	_, err = svc.ListShards(ctx, kds.ListShardsInput{NextToken: out.NextToken})
	wantErr(t, err, kds.ErrInvalidArgument, "")
}

func TestListStreamConsumersStreamCreationTimestamp(t *testing.T) {
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	efoRegister(t, svc, "s", "c")
	created := testStart
	list := func(ts time.Time) (kds.ListStreamConsumersOutput, error) {
		return svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("s"), StreamCreationTimestamp: ts})
	}
	if out, err := list(created); err != nil || len(out.Consumers) != 1 {
		t.Fatalf("matching StreamCreationTimestamp: %+v, %v", out, err)
	}
	for _, ts := range []time.Time{created.Add(time.Second), created.Add(-time.Hour)} {
		_, err := list(ts)
		wantErr(t, err, kds.ErrResourceNotFound, "")
	}
	// The name is reused: the old creation time no longer matches.
	clock.Advance(time.Minute)
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s", EnforceConsumerDeletion: true}); err != nil {
		t.Fatal(err)
	}
	efoStream(t, svc, "s", 1)
	_, err := list(created)
	wantErr(t, err, kds.ErrResourceNotFound, "")
	out, err := list(clock.Now())
	if err != nil || len(out.Consumers) != 0 {
		t.Fatalf("new incarnation: %+v, %v; want no consumers", out, err)
	}
}

func TestListStreamConsumersStreamCreationTimestampMillis(t *testing.T) {
	// A stream created at a time with sub-millisecond digits, as on a
	// real clock; clients see its creation time to the millisecond (the
	// JSON protocol's precision), and ListShards accepts that.
	start := testStart.Add(123456789 * time.Nanosecond)
	svc, _ := newServiceAt(t, start)
	efoStream(t, svc, "s", 1)
	efoRegister(t, svc, "s", "c")
	ms := start.Truncate(time.Millisecond)
	if _, err := svc.ListShards(ctx, kds.ListShardsInput{StreamName: "s", StreamCreationTimestamp: ms}); err != nil {
		t.Fatalf("ListShards with the creation time to the millisecond: %v", err)
	}
	if _, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{StreamARN: streamARN("s"), StreamCreationTimestamp: ms}); err != nil {
		t.Fatalf("ListStreamConsumers with the creation time to the millisecond: %v", err)
	}
}

func TestDeleteStreamWithConsumers(t *testing.T) {
	svc, clock := newService(t)
	efoStream(t, svc, "s", 1)
	c := efoRegister(t, svc, "s", "c")
	for _, in := range []kds.DeleteStreamInput{{StreamName: "s"}, {StreamARN: streamARN("s")}} {
		_, err := svc.DeleteStream(ctx, in)
		wantErr(t, err, kds.ErrResourceInUse, "")
	}
	if st := status(t, svc, "s"); st != kds.StreamStatusActive {
		t.Fatalf("stream is %s after the refused DeleteStream, want ACTIVE", st)
	}
	if st := efoStatus(t, svc, c.ConsumerARN); st != kds.ConsumerStatusActive {
		t.Fatalf("consumer is %s after the refused DeleteStream, want ACTIVE", st)
	}
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s", EnforceConsumerDeletion: true}); err != nil {
		t.Fatalf("DeleteStream with EnforceConsumerDeletion: %v", err)
	}
	_, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: "s"})
	wantErr(t, err, kds.ErrResourceNotFound, notFound("s"))
	_, err = svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
	// A new stream of the same name has none of the old consumers.
	clock.Advance(time.Second)
	efoStream(t, svc, "s", 1)
	if n := consumerCount(t, svc, "s"); n != 0 {
		t.Fatalf("new stream s has ConsumerCount %d, want 0", n)
	}
	if listed, _ := efoList(t, svc, "s", 0); len(listed) != 0 {
		t.Fatalf("new stream s lists %+v", listed)
	}
	_, err = svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: c.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
	c2 := efoRegister(t, svc, "s", "c")
	if c2.ConsumerARN == c.ConsumerARN {
		t.Fatalf("consumer of the new stream has the old ARN %s", c.ConsumerARN)
	}
	// Once its consumers are deregistered, a stream deletes without
	// EnforceConsumerDeletion.
	efoDeregister(t, svc, c2.ConsumerARN)
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
		t.Fatalf("DeleteStream after deregistering: %v", err)
	}
}

func TestDeleteStreamWithConsumersDelayed(t *testing.T) {
	const delay = 2 * time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	efoStream(t, svc, "s", 1)
	clock.Advance(delay)
	c := efoRegister(t, svc, "s", "c")
	// A CREATING consumer, and then a DELETING one, still block.
	_, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"})
	wantErr(t, err, kds.ErrResourceInUse, "")
	clock.Advance(delay)
	efoDeregister(t, svc, c.ConsumerARN)
	_, err = svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"})
	wantErr(t, err, kds.ErrResourceInUse, "")
	clock.Advance(delay)
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s"}); err != nil {
		t.Fatalf("DeleteStream once the consumer is gone: %v", err)
	}
}

func TestDescribeStreamSummaryConsumerCount(t *testing.T) {
	const delay = time.Second
	svc, clock := newService(t, kds.WithStatusDelay(delay))
	efoStream(t, svc, "s", 1)
	efoStream(t, svc, "t", 1)
	clock.Advance(delay)
	wantCount := func(when string, want int) {
		t.Helper()
		if n := consumerCount(t, svc, "s"); n != want {
			t.Fatalf("%s: ConsumerCount = %d, want %d", when, n, want)
		}
	}
	wantCount("no consumers", 0)
	a := efoRegister(t, svc, "s", "a")
	efoRegister(t, svc, "s", "b")
	efoRegister(t, svc, "t", "a")
	wantCount("two CREATING", 2)
	clock.Advance(delay)
	wantCount("two ACTIVE", 2)
	efoDeregister(t, svc, a.ConsumerARN)
	wantCount("one DELETING", 2)
	clock.Advance(delay)
	wantCount("one gone", 1)
	if n := consumerCount(t, svc, "t"); n != 1 {
		t.Fatalf("stream t: ConsumerCount = %d, want 1", n)
	}
}

// TestConsumerARNNotReusedByNewStream deletes a stream and creates it
// again in the same second: its consumer's ARN must differ from the old
// one, which must stay unknown.
func TestConsumerARNNotReusedByNewStream(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	old := efoRegister(t, svc, "s", "c")
	if _, err := svc.DeleteStream(ctx, kds.DeleteStreamInput{StreamName: "s", EnforceConsumerDeletion: true}); err != nil {
		t.Fatal(err)
	}
	efoStream(t, svc, "s", 1)
	if c := efoRegister(t, svc, "s", "c"); c.ConsumerARN == old.ConsumerARN {
		t.Errorf("the new stream's consumer got the old consumer's ARN %s", old.ConsumerARN)
	}
	_, err := svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{ConsumerARN: old.ConsumerARN})
	wantErr(t, err, kds.ErrResourceNotFound, "")
}

// TestSubscribeRacingDeregister runs SubscribeToShard and
// DeregisterStreamConsumer at the same time, many times: either the
// subscription is refused, or it is ended by the deregistration, so its
// first item is an error. A first event would mean a subscription of a
// deregistered consumer that goes on. The window is narrow: under -race
// (as CI runs) the rounds hit it when the check is missing.
func TestSubscribeRacingDeregister(t *testing.T) {
	svc, _ := newService(t)
	efoStream(t, svc, "s", 1)
	for i := range 3000 {
		c := efoRegister(t, svc, "s", fmt.Sprintf("c%d", i))
		var wg sync.WaitGroup
		var out kds.SubscribeToShardOutput
		var subErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			out, subErr = svc.SubscribeToShard(ctx, kds.SubscribeToShardInput{ConsumerARN: c.ConsumerARN, ShardId: "0", StartingPosition: kds.StartingPosition{Type: kds.ShardIteratorTypeLatest}})
		}()
		go func() {
			defer wg.Done()
			if _, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{ConsumerARN: c.ConsumerARN}); err != nil {
				t.Error(err)
			}
		}()
		wg.Wait()
		if subErr != nil {
			continue
		}
		for _, err := range out.EventStream {
			if err == nil {
				t.Fatalf("round %d: a subscription of a deregistered consumer delivered an event", i)
			}
			break
		}
	}
}
