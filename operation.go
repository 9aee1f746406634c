package kds

import (
	"context"
	"time"
)

// callHook is kept around every Kinesis operation of a Service: access
// control and the audit trail are hooks, added by options. A Service
// without hooks calls each operation directly.
type callHook interface {
	// observesData reports whether the hook looks at data-plane calls
	// (PutRecord, GetRecords, ...); if no hook does, they run directly.
	observesData() bool
	// before runs ahead of the operation; an error refuses the call,
	// which then fails with that error without running.
	before(ctx context.Context, c *callInfo) error
	// after runs once the call has its result: out is the operation's
	// output, nil if err is not.
	after(ctx context.Context, c *callInfo, out any, err error)
}

// callInfo is what hooks see of one call.
type callInfo struct {
	svc    *Service
	op     string // the Kinesis operation's name, "PutRecord"
	data   bool   // a data-plane call: CloudTrail logs it as a data event
	in     any    // the operation's input struct
	caller Caller // from the context; the zero Caller is the account root
	start  time.Time
	// resources are the ARNs of the streams and consumers the call acts
	// on (and the KMS key, for Start- and StopStreamEncryption), as far as
	// the request names them; nil for account-wide calls
	// (ListStreams, DescribeLimits, CreateStream's checks use the
	// stream's ARN) and for requests too malformed to name one.
	resources []string
}

// operation describes a Kinesis operation to the hooks.
type operation[I any] struct {
	name string
	data bool
	// resources returns the ARNs the request acts on, without running it.
	resources func(svc *Service, in I) []string
}

// run calls body, the operation op of svc, with the hooks around it. The
// data-plane operations test dataHooked before calling it, so that their
// hot path calls the body directly (run is too large to be inlined).
func run[I, O any](svc *Service, ctx context.Context, op *operation[I], in I, body func(*Service, context.Context, I) (O, error)) (O, error) {
	if len(svc.cfg.hooks) == 0 || op.data && !svc.cfg.dataHooked {
		return body(svc, ctx, in)
	}
	c := &callInfo{svc: svc, op: op.name, data: op.data, in: in, start: svc.clock.Now()}
	c.caller, _ = CallerFrom(ctx)
	if op.resources != nil {
		c.resources = op.resources(svc, in)
	}
	for _, h := range svc.cfg.hooks {
		if err := h.before(ctx, c); err != nil {
			svc.afterHooks(ctx, c, nil, err)
			var zero O
			return zero, err
		}
	}
	out, err := body(svc, ctx, in)
	if err != nil {
		svc.afterHooks(ctx, c, nil, err)
	} else {
		svc.afterHooks(ctx, c, out, nil)
	}
	return out, err
}

// afterHooks gives every hook the result of c.
func (svc *Service) afterHooks(ctx context.Context, c *callInfo, out any, err error) {
	for _, h := range svc.cfg.hooks {
		h.after(ctx, c, out, err)
	}
}

// streamResource returns the ARN of the stream a request names, by ARN
// or by name, or nil if it names none.
func (svc *Service) streamResource(name, arn string) []string {
	if arn == "" && name != "" {
		return []string{svc.streamARN(name)}
	}
	return arnResource(arn)
}

// consumerResource returns the ARN of the consumer a request names: its
// ConsumerARN, or that of the consumer registered under StreamARN and
// ConsumerName, or, if there is none, <StreamARN>/consumer/<ConsumerName>.
// (A registered one is also judged, and always denied, under the latter
// name: see deniedName.)
func (svc *Service) consumerResource(streamARN, name, arn string) []string {
	switch {
	case arn != "":
		return []string{arn}
	case streamARN == "" || name == "":
		return nil
	}
	if c, err := svc.findConsumer(streamARN, name, "", svc.clock.Now()); err == nil {
		return []string{c.arn}
	}
	return []string{streamARN + "/consumer/" + name}
}

// deniedName returns how a denial of call c names arn, one of the
// resources it is authorised on: as the request named it. A consumer given
// by StreamARN and ConsumerName (the only resource of those requests) is
// authorised as the registered consumer, by its ARN, which ends in its
// creation time, and as <StreamARN>/consumer/<ConsumerName>, the name a
// denial gives it, registered or not (as AWS's do), so that a caller
// refused learns neither whether it exists nor when it was registered.
func (c *callInfo) deniedName(arn string) string {
	var streamARN, name, consumerARN string
	switch in := c.in.(type) {
	case DescribeStreamConsumerInput:
		streamARN, name, consumerARN = in.StreamARN, in.ConsumerName, in.ConsumerARN
	case DeregisterStreamConsumerInput:
		streamARN, name, consumerARN = in.StreamARN, in.ConsumerName, in.ConsumerARN
	}
	if consumerARN == "" && streamARN != "" && name != "" {
		return streamARN + "/consumer/" + name
	}
	return arn
}

// iteratorResource returns the ARN of the stream a shard iterator reads,
// expired or not (so that an expired iterator is answered as expired, not
// as denied), or else the request's StreamARN, if any.
func (svc *Service) iteratorResource(tok, streamARN string) []string {
	if it, ok := svc.decodeIterator(tok); ok {
		return []string{svc.streamARN(it.stream)}
	}
	return arnResource(streamARN)
}

// listShardsResource returns the ARN of the stream a ListShards request
// lists: the one it names, or else the one its NextToken continues,
// expired or not.
func (svc *Service) listShardsResource(in ListShardsInput) []string {
	if in.StreamName == "" && in.StreamARN == "" {
		if l, _, ok := svc.decodeListShardsToken(in.NextToken); ok {
			return []string{svc.streamARN(l.stream)}
		}
	}
	return svc.streamResource(in.StreamName, in.StreamARN)
}

// The operations, in the order of the Kinesis API reference.
var (
	opAddTagsToStream = &operation[AddTagsToStreamInput]{name: "AddTagsToStream",
		resources: func(svc *Service, in AddTagsToStreamInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opCreateStream = &operation[CreateStreamInput]{name: "CreateStream",
		resources: func(svc *Service, in CreateStreamInput) []string { return svc.streamResource(in.StreamName, "") }}
	opDecreaseStreamRetentionPeriod = &operation[DecreaseStreamRetentionPeriodInput]{name: "DecreaseStreamRetentionPeriod",
		resources: func(svc *Service, in DecreaseStreamRetentionPeriodInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opDeleteResourcePolicy = &operation[DeleteResourcePolicyInput]{name: "DeleteResourcePolicy",
		resources: func(_ *Service, in DeleteResourcePolicyInput) []string { return arnResource(in.ResourceARN) }}
	opDeleteStream = &operation[DeleteStreamInput]{name: "DeleteStream",
		resources: func(svc *Service, in DeleteStreamInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opDeregisterStreamConsumer = &operation[DeregisterStreamConsumerInput]{name: "DeregisterStreamConsumer",
		resources: func(svc *Service, in DeregisterStreamConsumerInput) []string {
			return svc.consumerResource(in.StreamARN, in.ConsumerName, in.ConsumerARN)
		}}
	opDescribeLimits = &operation[DescribeLimitsInput]{name: "DescribeLimits"}
	opDescribeStream = &operation[DescribeStreamInput]{name: "DescribeStream",
		resources: func(svc *Service, in DescribeStreamInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opDescribeStreamConsumer = &operation[DescribeStreamConsumerInput]{name: "DescribeStreamConsumer",
		resources: func(svc *Service, in DescribeStreamConsumerInput) []string {
			return svc.consumerResource(in.StreamARN, in.ConsumerName, in.ConsumerARN)
		}}
	opDescribeStreamSummary = &operation[DescribeStreamSummaryInput]{name: "DescribeStreamSummary",
		resources: func(svc *Service, in DescribeStreamSummaryInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opDisableEnhancedMonitoring = &operation[DisableEnhancedMonitoringInput]{name: "DisableEnhancedMonitoring",
		resources: func(svc *Service, in DisableEnhancedMonitoringInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opEnableEnhancedMonitoring = &operation[EnableEnhancedMonitoringInput]{name: "EnableEnhancedMonitoring",
		resources: func(svc *Service, in EnableEnhancedMonitoringInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opGetRecords = &operation[GetRecordsInput]{name: "GetRecords", data: true,
		resources: func(svc *Service, in GetRecordsInput) []string {
			return svc.iteratorResource(in.ShardIterator, in.StreamARN)
		}}
	opGetResourcePolicy = &operation[GetResourcePolicyInput]{name: "GetResourcePolicy",
		resources: func(_ *Service, in GetResourcePolicyInput) []string { return arnResource(in.ResourceARN) }}
	opGetShardIterator = &operation[GetShardIteratorInput]{name: "GetShardIterator", data: true,
		resources: func(svc *Service, in GetShardIteratorInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opIncreaseStreamRetentionPeriod = &operation[IncreaseStreamRetentionPeriodInput]{name: "IncreaseStreamRetentionPeriod",
		resources: func(svc *Service, in IncreaseStreamRetentionPeriodInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opListShards = &operation[ListShardsInput]{name: "ListShards",
		resources: func(svc *Service, in ListShardsInput) []string { return svc.listShardsResource(in) }}
	opListStreamConsumers = &operation[ListStreamConsumersInput]{name: "ListStreamConsumers",
		resources: func(svc *Service, in ListStreamConsumersInput) []string { return svc.streamResource("", in.StreamARN) }}
	opListStreams         = &operation[ListStreamsInput]{name: "ListStreams"}
	opListTagsForResource = &operation[ListTagsForResourceInput]{name: "ListTagsForResource",
		resources: func(_ *Service, in ListTagsForResourceInput) []string { return arnResource(in.ResourceARN) }}
	opListTagsForStream = &operation[ListTagsForStreamInput]{name: "ListTagsForStream",
		resources: func(svc *Service, in ListTagsForStreamInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opMergeShards = &operation[MergeShardsInput]{name: "MergeShards",
		resources: func(svc *Service, in MergeShardsInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opPutRecord = &operation[PutRecordInput]{name: "PutRecord", data: true,
		resources: func(svc *Service, in PutRecordInput) []string { return svc.streamResource(in.StreamName, in.StreamARN) }}
	opPutRecords = &operation[PutRecordsInput]{name: "PutRecords", data: true,
		resources: func(svc *Service, in PutRecordsInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opPutResourcePolicy = &operation[PutResourcePolicyInput]{name: "PutResourcePolicy",
		resources: func(_ *Service, in PutResourcePolicyInput) []string { return arnResource(in.ResourceARN) }}
	opRegisterStreamConsumer = &operation[RegisterStreamConsumerInput]{name: "RegisterStreamConsumer",
		resources: func(svc *Service, in RegisterStreamConsumerInput) []string {
			return svc.streamResource("", in.StreamARN)
		}}
	opRemoveTagsFromStream = &operation[RemoveTagsFromStreamInput]{name: "RemoveTagsFromStream",
		resources: func(svc *Service, in RemoveTagsFromStreamInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opSplitShard = &operation[SplitShardInput]{name: "SplitShard",
		resources: func(svc *Service, in SplitShardInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opStartStreamEncryption = &operation[StartStreamEncryptionInput]{name: "StartStreamEncryption",
		resources: func(svc *Service, in StartStreamEncryptionInput) []string {
			return svc.encryptionResources(in.StreamName, in.StreamARN, in.KeyId)
		}}
	opStopStreamEncryption = &operation[StopStreamEncryptionInput]{name: "StopStreamEncryption",
		resources: func(svc *Service, in StopStreamEncryptionInput) []string {
			return svc.encryptionResources(in.StreamName, in.StreamARN, in.KeyId)
		}}
	opSubscribeToShard = &operation[SubscribeToShardInput]{name: "SubscribeToShard", data: true,
		resources: func(svc *Service, in SubscribeToShardInput) []string {
			return svc.consumerResource("", "", in.ConsumerARN)
		}}
	opTagResource = &operation[TagResourceInput]{name: "TagResource",
		resources: func(_ *Service, in TagResourceInput) []string { return arnResource(in.ResourceARN) }}
	opUntagResource = &operation[UntagResourceInput]{name: "UntagResource",
		resources: func(_ *Service, in UntagResourceInput) []string { return arnResource(in.ResourceARN) }}
	opUpdateMaxRecordSize = &operation[UpdateMaxRecordSizeInput]{name: "UpdateMaxRecordSize",
		resources: func(svc *Service, in UpdateMaxRecordSizeInput) []string { return svc.streamResource("", in.StreamARN) }}
	opUpdateShardCount = &operation[UpdateShardCountInput]{name: "UpdateShardCount",
		resources: func(svc *Service, in UpdateShardCountInput) []string {
			return svc.streamResource(in.StreamName, in.StreamARN)
		}}
	opUpdateStreamMode = &operation[UpdateStreamModeInput]{name: "UpdateStreamMode",
		resources: func(svc *Service, in UpdateStreamModeInput) []string { return svc.streamResource("", in.StreamARN) }}
)

// arnResource returns the ResourceARN a request names, or nil if none.
func arnResource(arn string) []string {
	if arn == "" {
		return nil
	}
	return []string{arn}
}
