package kinesisapi

import (
	"context"

	"github.com/kdsgo/kds"
)

// consumerRef addresses a consumer: by ConsumerARN, or by StreamARN and
// ConsumerName.
type consumerRef struct {
	StreamARN    string `json:"StreamARN"`
	ConsumerName string `json:"ConsumerName"`
	ConsumerARN  string `json:"ConsumerARN"`
}

type consumer struct {
	ConsumerName              string             `json:"ConsumerName"`
	ConsumerARN               string             `json:"ConsumerARN"`
	ConsumerStatus            kds.ConsumerStatus `json:"ConsumerStatus"`
	ConsumerCreationTimestamp *timestamp         `json:"ConsumerCreationTimestamp"`
}

func toConsumer(c kds.Consumer) consumer {
	return consumer{c.ConsumerName, c.ConsumerARN, c.ConsumerStatus, ts(c.ConsumerCreationTimestamp)}
}

type registerStreamConsumerInput struct {
	StreamARN    string            `json:"StreamARN"`
	ConsumerName string            `json:"ConsumerName"`
	Tags         map[string]string `json:"Tags"`
}

type registerStreamConsumerOutput struct {
	Consumer consumer `json:"Consumer"`
}

func registerStreamConsumer(ctx context.Context, svc *kds.Service, in registerStreamConsumerInput) (any, error) {
	out, err := svc.RegisterStreamConsumer(ctx, kds.RegisterStreamConsumerInput{StreamARN: in.StreamARN, ConsumerName: in.ConsumerName, Tags: in.Tags})
	if err != nil {
		return nil, err
	}
	return registerStreamConsumerOutput{toConsumer(out.Consumer)}, nil
}

func deregisterStreamConsumer(ctx context.Context, svc *kds.Service, in consumerRef) (any, error) {
	_, err := svc.DeregisterStreamConsumer(ctx, kds.DeregisterStreamConsumerInput{StreamARN: in.StreamARN, ConsumerName: in.ConsumerName, ConsumerARN: in.ConsumerARN})
	return nil, err
}

type consumerDescription struct {
	consumer
	StreamARN string `json:"StreamARN"`
}

type describeStreamConsumerOutput struct {
	ConsumerDescription consumerDescription `json:"ConsumerDescription"`
}

func describeStreamConsumer(ctx context.Context, svc *kds.Service, in consumerRef) (any, error) {
	out, err := svc.DescribeStreamConsumer(ctx, kds.DescribeStreamConsumerInput{StreamARN: in.StreamARN, ConsumerName: in.ConsumerName, ConsumerARN: in.ConsumerARN})
	if err != nil {
		return nil, err
	}
	d := out.ConsumerDescription
	return describeStreamConsumerOutput{consumerDescription{
		consumer:  toConsumer(kds.Consumer{ConsumerName: d.ConsumerName, ConsumerARN: d.ConsumerARN, ConsumerStatus: d.ConsumerStatus, ConsumerCreationTimestamp: d.ConsumerCreationTimestamp}),
		StreamARN: d.StreamARN,
	}}, nil
}

type listStreamConsumersInput struct {
	StreamARN               string     `json:"StreamARN"`
	NextToken               string     `json:"NextToken"`
	MaxResults              *integer   `json:"MaxResults"`
	StreamCreationTimestamp *timestamp `json:"StreamCreationTimestamp"`
}

type listStreamConsumersOutput struct {
	Consumers []consumer `json:"Consumers"`
	NextToken string     `json:"NextToken,omitempty"`
}

func listStreamConsumers(ctx context.Context, svc *kds.Service, in listStreamConsumersInput) (any, error) {
	var v violations
	v.atLeast(in.MaxResults, "maxResults", 1)
	if err := v.err(); err != nil {
		return nil, err
	}
	out, err := svc.ListStreamConsumers(ctx, kds.ListStreamConsumersInput{
		StreamARN:               in.StreamARN,
		MaxResults:              intOrZero(in.MaxResults),
		NextToken:               in.NextToken,
		StreamCreationTimestamp: in.StreamCreationTimestamp.time(),
	})
	if err != nil {
		return nil, err
	}
	res := listStreamConsumersOutput{Consumers: make([]consumer, len(out.Consumers)), NextToken: out.NextToken}
	for i, c := range out.Consumers {
		res.Consumers[i] = toConsumer(c)
	}
	return res, nil
}
