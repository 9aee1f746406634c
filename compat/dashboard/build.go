package dashboard

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/kdsgo/kds"
)

// Metric names the dashboard reads.
const (
	incomingRecords   = "IncomingRecords"
	incomingBytes     = "IncomingBytes"
	outgoingRecords   = "OutgoingRecords"
	outgoingBytes     = "OutgoingBytes"
	getRecordsRecords = "GetRecords.Records"
	getRecordsBytes   = "GetRecords.Bytes"
	getRecordsAge     = "GetRecords.IteratorAgeMilliseconds"
	eventRecords      = "SubscribeToShardEvent.Records"
	eventBytes        = "SubscribeToShardEvent.Bytes"
	eventMillisBehind = "SubscribeToShardEvent.MillisBehindLatest"
	writeThrottled    = "WriteProvisionedThroughputExceeded"
	readThrottled     = "ReadProvisionedThroughputExceeded"
)

// overview reads every stream of svc and records their open shard counts
// in hist.
func overview(ctx context.Context, svc *kds.Service, hist *history) (Overview, error) {
	m := indexMetrics(svc.Metrics())
	out := Overview{Time: m.now, Streams: []StreamSummary{}}
	err := describeAll(ctx, svc, hist, m.now, func(d kds.StreamDescriptionSummary) {
		out.Streams = append(out.Streams, summarize(d, m))
	})
	return out, err
}

// describeAll describes every stream of svc, in name order, to each (if
// not nil), records their open shard counts in hist as of now, and
// forgets the streams that are gone.
func describeAll(ctx context.Context, svc *kds.Service, hist *history, now time.Time, each func(kds.StreamDescriptionSummary)) error {
	names := make(map[string]bool)
	for s := range svc.Streams() {
		out, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: s.Name()})
		if errors.Is(err, kds.ErrResourceNotFound) {
			continue // deleted since it was listed
		}
		if err != nil {
			return err
		}
		d := out.StreamDescriptionSummary
		hist.record(d.StreamName, d.StreamCreationTimestamp, now, d.OpenShardCount)
		names[d.StreamName] = true
		if each != nil {
			each(d)
		}
	}
	hist.retain(names)
	return nil
}

// summarize is a stream's line of the overview.
func summarize(d kds.StreamDescriptionSummary, m metrics) StreamSummary {
	stream := kds.MetricDimensions{StreamName: d.StreamName}
	t := Traffic{
		Put:            m.rates(incomingRecords, incomingBytes, stream),
		Get:            m.rates(getRecordsRecords, getRecordsBytes, stream),
		WriteThrottled: m.sum(writeThrottled, stream),
		ReadThrottled:  m.sum(readThrottled, stream),
	}
	for _, c := range m.consumers[d.StreamName] {
		r := m.rates(eventRecords, eventBytes, kds.MetricDimensions{StreamName: d.StreamName, ConsumerName: c})
		t.FanOut.RecordsPerSecond += r.RecordsPerSecond
		t.FanOut.BytesPerSecond += r.BytesPerSecond
	}
	return StreamSummary{
		Name:           d.StreamName,
		Status:         string(d.StreamStatus),
		Mode:           string(d.StreamModeDetails.StreamMode),
		OpenShards:     d.OpenShardCount,
		RetentionHours: d.RetentionPeriodHours,
		Consumers:      d.ConsumerCount,
		Traffic:        t,
	}
}

// detail reads one stream of svc and records its open shard count in
// hist. A stream that does not exist is an error that matches
// [kds.ErrResourceNotFound].
func detail(ctx context.Context, svc *kds.Service, hist *history, name string) (StreamDetail, error) {
	d, err := svc.DescribeStreamSummary(ctx, kds.DescribeStreamSummaryInput{StreamName: name})
	if err != nil {
		return StreamDetail{}, err
	}
	s, ok := svc.Stream(name)
	if !ok {
		return StreamDetail{}, kds.ErrResourceNotFound // deleted just now
	}
	m := indexMetrics(s.Metrics())
	sum := d.StreamDescriptionSummary
	hist.record(sum.StreamName, sum.StreamCreationTimestamp, m.now, sum.OpenShardCount)
	out := StreamDetail{
		Time:          m.now,
		StreamSummary: summarize(sum, m),
		ARN:           sum.StreamARN,
		Created:       sum.StreamCreationTimestamp,
		ShardCounts:   hist.counts(sum.StreamName, m.now, sum.OpenShardCount),
	}
	for _, e := range sum.EnhancedMonitoring {
		out.EnhancedMonitoring = append(out.EnhancedMonitoring, e.ShardLevelMetrics...)
	}
	if out.Tags, err = tags(ctx, svc, name); err != nil {
		return StreamDetail{}, err
	}
	if out.Shards, err = shards(ctx, svc, name, m); err != nil {
		return StreamDetail{}, err
	}
	if out.Readers, err = readers(ctx, svc, sum.StreamARN, name, m); err != nil {
		return StreamDetail{}, err
	}
	return out, nil
}

// tags lists the stream's tags.
func tags(ctx context.Context, svc *kds.Service, name string) ([]Tag, error) {
	out := []Tag{}
	in := kds.ListTagsForStreamInput{StreamName: name}
	for {
		page, err := svc.ListTagsForStream(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, t := range page.Tags {
			out = append(out, Tag{Key: t.Key, Value: t.Value})
		}
		if !page.HasMoreTags || len(page.Tags) == 0 {
			return out, nil
		}
		in.ExclusiveStartTagKey = page.Tags[len(page.Tags)-1].Key
	}
}

// shards lists every shard of the stream with its traffic where it has
// shard-level metrics.
func shards(ctx context.Context, svc *kds.Service, name string, m metrics) ([]ShardInfo, error) {
	out := []ShardInfo{}
	in := kds.ListShardsInput{StreamName: name}
	for {
		page, err := svc.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, sh := range page.Shards {
			out = append(out, ShardInfo{
				ID:                    sh.ShardId,
				ParentShardID:         sh.ParentShardId,
				AdjacentParentShardID: sh.AdjacentParentShardId,
				StartingHashKey:       sh.HashKeyRange.StartingHashKey.String(),
				EndingHashKey:         sh.HashKeyRange.EndingHashKey.String(),
				Open:                  sh.SequenceNumberRange.EndingSequenceNumber == kds.SequenceNumber{},
				Span:                  spanOf(sh.HashKeyRange),
				Traffic:               shardTraffic(m, kds.MetricDimensions{StreamName: name, ShardId: sh.ShardId}),
			})
		}
		if page.NextToken == "" {
			return out, nil
		}
		in = kds.ListShardsInput{NextToken: page.NextToken}
	}
}

// shardTraffic is a shard's traffic from its shard-level metrics, or nil
// if it has none.
func shardTraffic(m metrics, shard kds.MetricDimensions) *ShardTraffic {
	if !slices.ContainsFunc([]string{incomingRecords, outgoingRecords, writeThrottled, readThrottled, incomingBytes, outgoingBytes}, func(name string) bool {
		return m.has(name, shard)
	}) {
		return nil
	}
	return &ShardTraffic{
		Incoming:       m.rates(incomingRecords, incomingBytes, shard),
		Outgoing:       m.rates(outgoingRecords, outgoingBytes, shard),
		WriteThrottled: m.sum(writeThrottled, shard),
		ReadThrottled:  m.sum(readThrottled, shard),
	}
}

// readers lists the stream's polling readers and its registered
// consumers.
func readers(ctx context.Context, svc *kds.Service, arn, name string, m metrics) ([]Reader, error) {
	stream := kds.MetricDimensions{StreamName: name}
	polling := Reader{Rate: m.rates(getRecordsRecords, getRecordsBytes, stream)}
	polling.IteratorAgeMilliseconds = m.latestMaximum(getRecordsAge, stream)
	out := []Reader{polling}
	in := kds.ListStreamConsumersInput{StreamARN: arn}
	for {
		page, err := svc.ListStreamConsumers(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, c := range page.Consumers {
			dims := kds.MetricDimensions{StreamName: name, ConsumerName: c.ConsumerName}
			out = append(out, Reader{
				Consumer:                c.ConsumerName,
				Status:                  string(c.ConsumerStatus),
				IteratorAgeMilliseconds: m.latestMaximum(eventMillisBehind, dims),
				Rate:                    m.rates(eventRecords, eventBytes, dims),
			})
		}
		if page.NextToken == "" {
			return out, nil
		}
		in.NextToken = page.NextToken
	}
}
