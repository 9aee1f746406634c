package kinesisapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
	"github.com/kdsgo/kds"
)

func TestConsumerRegistry(t *testing.T) {
	clock := kds.NewManualClock(testEpoch)
	delays := kds.StatusDelays{Create: 5 * time.Second, Delete: 5 * time.Second}
	c, svc, _ := newTestServer(t, kds.WithClock(clock), kds.WithStatusDelays(delays))
	arn := createStream(t, c, "s", 1)
	clock.Advance(delays.Create) // the stream becomes ACTIVE
	ctx := context.Background()

	reg, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("app"), Tags: map[string]string{"team": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	cons := reg.Consumer
	wantARN := fmt.Sprintf("%s/consumer/app:%d", arn, clock.Now().Unix())
	if *cons.ConsumerName != "app" || *cons.ConsumerARN != wantARN || cons.ConsumerStatus != types.ConsumerStatusCreating || !cons.ConsumerCreationTimestamp.Equal(clock.Now()) {
		t.Fatalf("registered %s %s %s %v", *cons.ConsumerName, *cons.ConsumerARN, cons.ConsumerStatus, cons.ConsumerCreationTimestamp)
	}
	_, err = c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("app")})
	wantAPIError[*types.ResourceInUseException](t, err)

	clock.Advance(delays.Create)
	for _, in := range []*kinesis.DescribeStreamConsumerInput{
		{ConsumerARN: cons.ConsumerARN},
		{StreamARN: aws.String(arn), ConsumerName: aws.String("app")},
		{StreamARN: aws.String(arn), ConsumerName: aws.String("app"), ConsumerARN: cons.ConsumerARN},
	} {
		d, err := c.DescribeStreamConsumer(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		cd := d.ConsumerDescription
		if *cd.ConsumerARN != wantARN || *cd.ConsumerName != "app" || cd.ConsumerStatus != types.ConsumerStatusActive || *cd.StreamARN != arn || !cd.ConsumerCreationTimestamp.Equal(*cons.ConsumerCreationTimestamp) {
			t.Errorf("described %+v", cd)
		}
	}

	for i := range 3 {
		if _, err := c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String(fmt.Sprint("more-", i))}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var token *string
	for page := 0; ; page++ {
		in := &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn), MaxResults: aws.Int32(3), NextToken: token}
		if page == 0 {
			in.StreamCreationTimestamp = aws.Time(testEpoch)
		}
		out, err := c.ListStreamConsumers(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out.Consumers {
			names = append(names, fmt.Sprint(*c.ConsumerName, " ", c.ConsumerStatus))
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if got, want := strings.Join(names, ", "), "app ACTIVE, more-0 CREATING, more-1 CREATING, more-2 CREATING"; got != want {
		t.Errorf("listed %s, want %s", got, want)
	}
	_, err = c.ListStreamConsumers(ctx, &kinesis.ListStreamConsumersInput{StreamARN: aws.String(arn), StreamCreationTimestamp: aws.Time(testEpoch.Add(time.Hour))})
	wantAPIError[*types.ResourceNotFoundException](t, err)

	_, err = c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: aws.String(arn + "/consumer/more-0:1")})
	wantAPIError[*types.ResourceNotFoundException](t, err)
	_, err = c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("more-0")})
	wantAPIError[*types.ResourceInUseException](t, err) // still CREATING
	if _, err := c.DeregisterStreamConsumer(ctx, &kinesis.DeregisterStreamConsumerInput{ConsumerARN: cons.ConsumerARN}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: cons.ConsumerARN})
	if err != nil || d.ConsumerDescription.ConsumerStatus != types.ConsumerStatusDeleting {
		t.Fatalf("after deregistering: %v %v", d, err)
	}
	clock.Advance(delays.Delete)
	_, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: cons.ConsumerARN})
	e := wantAPIError[*types.ResourceNotFoundException](t, err)
	if want := "Consumer " + wantARN + " under stream s under account " + svc.AccountID() + " not found."; e.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", e.ErrorMessage(), want)
	}

	_, err = c.DescribeStreamConsumer(ctx, &kinesis.DescribeStreamConsumerInput{ConsumerARN: aws.String("arn:aws:kinesis:us-east-1:" + svc.AccountID() + ":stream/s/nope")})
	wantAPIError[*types.ValidationException](t, err)
	_, err = c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn + "x"), ConsumerName: aws.String("app")})
	wantAPIError[*types.ResourceNotFoundException](t, err)
	_, err = c.RegisterStreamConsumer(ctx, &kinesis.RegisterStreamConsumerInput{StreamARN: aws.String(arn), ConsumerName: aws.String("bad name")})
	e2 := wantAPIError[*types.ValidationException](t, err)
	if want := "1 validation error detected: Value 'bad name' at 'consumerName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"; e2.ErrorMessage() != want {
		t.Errorf("message = %q, want %q", e2.ErrorMessage(), want)
	}
}
