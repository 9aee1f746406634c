package kds

import (
	"context"
	"time"
)

// SequenceNumberRange is the span of sequence numbers a shard covers. An
// open shard has no EndingSequenceNumber (its zero value).
type SequenceNumberRange struct {
	StartingSequenceNumber SequenceNumber
	EndingSequenceNumber   SequenceNumber
}

// Shard describes one shard as DescribeStream and ListShards report it.
type Shard struct {
	ShardId               string
	ParentShardId         string
	AdjacentParentShardId string
	HashKeyRange          HashKeyRange
	SequenceNumberRange   SequenceNumberRange
}

// describe returns the shard's description.
func (sh *shard) describe() Shard {
	d := Shard{
		ShardId:               sh.id,
		ParentShardId:         sh.parentShardID(0),
		AdjacentParentShardId: sh.parentShardID(1),
		HashKeyRange:          sh.hashRange,
		SequenceNumberRange:   SequenceNumberRange{StartingSequenceNumber: sh.starting},
	}
	if c := sh.closure.Load(); c != nil {
		d.SequenceNumberRange.EndingSequenceNumber = c.ending
	}
	return d
}

// parentShardID returns the ID of the shard's i-th parent (0: the parent,
// 1: the adjacent parent of a merge), or "" if it has none.
func (sh *shard) parentShardID(i int) string {
	if i < len(sh.parents) {
		return sh.parents[i].id
	}
	return ""
}

// shardID returns the shard's ID, for paging.
func (sh *shard) shardID() string { return sh.id }

// describeShards returns the descriptions of shards, never nil.
func describeShards(shards []*shard) []Shard {
	out := make([]Shard, len(shards))
	for i, sh := range shards {
		out[i] = sh.describe()
	}
	return out
}

// EnhancedMetrics lists the shard-level metrics enabled on a stream.
type EnhancedMetrics struct {
	ShardLevelMetrics []string
}

// StreamDescription is DescribeStream's view of a stream.
type StreamDescription struct {
	StreamName              string
	StreamARN               string
	StreamStatus            StreamStatus
	StreamModeDetails       StreamModeDetails
	Shards                  []Shard
	HasMoreShards           bool
	RetentionPeriodHours    int
	StreamCreationTimestamp time.Time
	EnhancedMonitoring      []EnhancedMetrics
	EncryptionType          EncryptionType
	KeyId                   string
}

// DescribeStreamInput is the input of [Service.DescribeStream].
type DescribeStreamInput struct {
	StreamName string
	StreamARN  string
	// Limit is the most shards to return, 1 to 10000; 0 means 100. At most
	// [MaxDescribeStreamShards] are returned.
	Limit int
	// ExclusiveStartShardId lists only shards whose ID sorts after it.
	ExclusiveStartShardId string
}

// DescribeStreamOutput is the output of [Service.DescribeStream].
type DescribeStreamOutput struct {
	StreamDescription StreamDescription
}

// DescribeStream describes a stream and pages through its shards. A
// CREATING stream lists no shards. Prefer [Service.DescribeStreamSummary]
// and [Service.ListShards], as AWS advises.
func (svc *Service) DescribeStream(ctx context.Context, in DescribeStreamInput) (DescribeStreamOutput, error) {
	return run(svc, ctx, opDescribeStream, in, (*Service).describeStream)
}

// describeStream is the body of [Service.DescribeStream].
func (svc *Service) describeStream(ctx context.Context, in DescribeStreamInput) (DescribeStreamOutput, error) {
	var v violations
	v.checkLimit(in.Limit, "limit", MaxRequestLimit)
	v.checkShardID(in.ExclusiveStartShardId, "exclusiveStartShardId")
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return DescribeStreamOutput{}, err
	}
	d := StreamDescription{
		StreamName:              s.name,
		StreamARN:               s.arn,
		StreamStatus:            s.status(now),
		StreamModeDetails:       StreamModeDetails{StreamMode: s.streamMode()},
		Shards:                  []Shard{},
		RetentionPeriodHours:    int(s.retentionHours.Load()),
		StreamCreationTimestamp: s.created,
		EnhancedMonitoring:      []EnhancedMetrics{{ShardLevelMetrics: metricSet(s.metrics.Load()).names()}},
	}
	d.EncryptionType, d.KeyId = s.encryptionType()
	if d.StreamStatus != StreamStatusCreating {
		var page []*shard
		limit := pageLimit(in.Limit, MaxDescribeStreamShards, MaxDescribeStreamShards)
		page, d.HasMoreShards = pageAfter(s.listedShards(ShardFilter{}, now), (*shard).shardID, in.ExclusiveStartShardId, limit)
		d.Shards = describeShards(page)
	}
	return DescribeStreamOutput{StreamDescription: d}, nil
}

// StreamDescriptionSummary is DescribeStreamSummary's view of a stream.
type StreamDescriptionSummary struct {
	StreamName              string
	StreamARN               string
	StreamStatus            StreamStatus
	StreamModeDetails       StreamModeDetails
	RetentionPeriodHours    int
	StreamCreationTimestamp time.Time
	EnhancedMonitoring      []EnhancedMetrics
	EncryptionType          EncryptionType
	KeyId                   string
	OpenShardCount          int
	ConsumerCount           int
	MaxRecordSizeInKiB      int
}

// DescribeStreamSummaryInput is the input of [Service.DescribeStreamSummary].
type DescribeStreamSummaryInput struct {
	StreamName string
	StreamARN  string
}

// DescribeStreamSummaryOutput is the output of
// [Service.DescribeStreamSummary].
type DescribeStreamSummaryOutput struct {
	StreamDescriptionSummary StreamDescriptionSummary
}

// DescribeStreamSummary describes a stream without listing its shards.
func (svc *Service) DescribeStreamSummary(ctx context.Context, in DescribeStreamSummaryInput) (DescribeStreamSummaryOutput, error) {
	return run(svc, ctx, opDescribeStreamSummary, in, (*Service).describeStreamSummary)
}

// describeStreamSummary is the body of [Service.DescribeStreamSummary].
func (svc *Service) describeStreamSummary(ctx context.Context, in DescribeStreamSummaryInput) (DescribeStreamSummaryOutput, error) {
	s, now, err := svc.resolve(nil, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return DescribeStreamSummaryOutput{}, err
	}
	d := StreamDescriptionSummary{
		StreamName:              s.name,
		StreamARN:               s.arn,
		StreamStatus:            s.status(now),
		StreamModeDetails:       StreamModeDetails{StreamMode: s.streamMode()},
		RetentionPeriodHours:    int(s.retentionHours.Load()),
		StreamCreationTimestamp: s.created,
		EnhancedMonitoring:      []EnhancedMetrics{{ShardLevelMetrics: metricSet(s.metrics.Load()).names()}},
		OpenShardCount:          s.openShardCount(),
		ConsumerCount:           len(s.liveConsumers(now)),
		MaxRecordSizeInKiB:      int(s.maxRecordKiB.Load()),
	}
	d.EncryptionType, d.KeyId = s.encryptionType()
	return DescribeStreamSummaryOutput{StreamDescriptionSummary: d}, nil
}

// ShardFilterType selects which shards ListShards returns.
type ShardFilterType string

// The shard filters of ListShards.
const (
	ShardFilterAfterShardID     ShardFilterType = "AFTER_SHARD_ID"
	ShardFilterAtTrimHorizon    ShardFilterType = "AT_TRIM_HORIZON"
	ShardFilterFromTrimHorizon  ShardFilterType = "FROM_TRIM_HORIZON"
	ShardFilterAtLatest         ShardFilterType = "AT_LATEST"
	ShardFilterAtTimestamp      ShardFilterType = "AT_TIMESTAMP"
	ShardFilterFromTimestamp    ShardFilterType = "FROM_TIMESTAMP"
	shardFilterTypeListForError                 = "[AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP, FROM_TIMESTAMP]"
)

// ShardFilter narrows a ListShards result. The zero value filters nothing.
type ShardFilter struct {
	Type ShardFilterType
	// ShardId is required with AFTER_SHARD_ID.
	ShardId string
	// Timestamp is required with AT_TIMESTAMP and FROM_TIMESTAMP.
	Timestamp time.Time
}

// ListShardsInput is the input of [Service.ListShards]. Give the stream
// (by name or ARN) for the first page and only NextToken for the next ones.
type ListShardsInput struct {
	StreamName string
	StreamARN  string
	// NextToken continues a listing; it expires after [NextTokenLifetime].
	NextToken string
	// ExclusiveStartShardId lists only shards whose ID sorts after it.
	ExclusiveStartShardId string
	// MaxResults is the most shards to return, 1 to 10000; 0 means 1000.
	// At most [DefaultListShardsResults] are returned.
	MaxResults int
	// StreamCreationTimestamp, if set, must match the stream's creation
	// time: it tells a re-created stream from the one deleted before it.
	StreamCreationTimestamp time.Time
	// ShardFilter narrows the result.
	ShardFilter ShardFilter
}

// ListShardsOutput is one page of shards, in shard ID order.
type ListShardsOutput struct {
	Shards    []Shard
	NextToken string
}

// ListShards lists a stream's shards a page at a time, open and closed,
// narrowed by ShardFilter: FROM_TRIM_HORIZON (the default) lists every
// shard that still holds records inside the retention window, AT_LATEST
// the open shards, AT_TRIM_HORIZON and AT_TIMESTAMP the shards open at that
// time, FROM_TIMESTAMP the shards open at or after it, AFTER_SHARD_ID those
// after a shard ID.
func (svc *Service) ListShards(ctx context.Context, in ListShardsInput) (ListShardsOutput, error) {
	return run(svc, ctx, opListShards, in, (*Service).listShards)
}

// listShards is the body of [Service.ListShards].
func (svc *Service) listShards(ctx context.Context, in ListShardsInput) (ListShardsOutput, error) {
	var v violations
	v.checkLimit(in.MaxResults, "maxResults", MaxRequestLimit)
	v.checkShardID(in.ExclusiveStartShardId, "exclusiveStartShardId")
	switch in.ShardFilter.Type {
	case "", ShardFilterAfterShardID, ShardFilterAtTrimHorizon, ShardFilterFromTrimHorizon, ShardFilterAtLatest, ShardFilterAtTimestamp, ShardFilterFromTimestamp:
	default:
		v.add(quote(string(in.ShardFilter.Type)), "shardFilter.type", "Member must satisfy enum value set: "+shardFilterTypeListForError)
	}
	v.checkShardID(in.ShardFilter.ShardId, "shardFilter.shardId")
	ref := streamRef{in.StreamName, in.StreamARN}
	v.checkStreamRef(ref)
	if err := v.err(); err != nil {
		return ListShardsOutput{}, err
	}
	streamGiven := in.StreamName != "" || in.StreamARN != ""
	switch {
	case in.NextToken != "" && streamGiven:
		return ListShardsOutput{}, newError(codeInvalidArgument, "NextToken and StreamName cannot be provided together.")
	case in.NextToken == "" && !streamGiven:
		return ListShardsOutput{}, newError(codeInvalidArgument, "Either NextToken or StreamName should be provided.")
	case in.NextToken != "" && (in.ExclusiveStartShardId != "" || in.ShardFilter.Type != "" || !in.StreamCreationTimestamp.IsZero()):
		return ListShardsOutput{}, newError(codeInvalidArgument, "NextToken cannot be provided together with ExclusiveStartShardId, ShardFilter or StreamCreationTimestamp.")
	}
	switch f := in.ShardFilter; {
	case f.Type == ShardFilterAfterShardID && f.ShardId == "":
		return ListShardsOutput{}, newError(codeInvalidArgument, "ShardId must be supplied in a ShardFilter with a Type of AFTER_SHARD_ID")
	case (f.Type == ShardFilterAtTimestamp || f.Type == ShardFilterFromTimestamp) && f.Timestamp.IsZero():
		return ListShardsOutput{}, newError(codeInvalidArgument, "Timestamp must be supplied in a ShardFilter with a Type of FROM_TIMESTAMP or AT_TIMESTAMP")
	}

	now := svc.clock.Now()
	var s *Stream
	l := shardListing{filter: in.ShardFilter, after: in.ExclusiveStartShardId}
	if in.ShardFilter.Type == ShardFilterAfterShardID {
		l.after = max(l.after, in.ShardFilter.ShardId)
	}
	if in.NextToken != "" {
		var err error
		if l, err = svc.openListShardsToken(in.NextToken, now); err != nil {
			return ListShardsOutput{}, err
		}
		var ok bool
		if s, ok = svc.streamByID(l.streamID, now); !ok {
			return ListShardsOutput{}, svc.notFound(l.stream)
		}
	} else {
		var err error
		if s, err = svc.lookup(ref, now); err != nil {
			return ListShardsOutput{}, err
		}
		if !in.StreamCreationTimestamp.IsZero() && in.StreamCreationTimestamp.UnixMilli() != s.created.UnixMilli() {
			return ListShardsOutput{}, svc.notFound(s.name)
		}
		l.streamID, l.stream = s.id, s.name
	}
	if s.status(now) == StreamStatusCreating {
		return ListShardsOutput{Shards: []Shard{}}, nil
	}
	limit := pageLimit(in.MaxResults, DefaultListShardsResults, DefaultListShardsResults)
	page, more := pageAfter(s.listedShards(l.filter, now), (*shard).shardID, l.after, limit)
	out := ListShardsOutput{Shards: describeShards(page)}
	if more {
		l.after = page[len(page)-1].id
		out.NextToken = svc.listShardsToken(l, now)
	}
	return out, nil
}

// listedShards returns the shards ListShards and DescribeStream list at
// now through filter f. Closed shards whose records have all left the
// retention window are never listed. Timestamps before the trim horizon
// count as the trim horizon.
func (s *Stream) listedShards(f ShardFilter, now time.Time) []*shard {
	cutoffMs := s.cutoffMs(now)
	horizon := time.UnixMilli(max(cutoffMs, s.created.UnixMilli()))
	t := f.Timestamp
	if t.Before(horizon) {
		t = horizon
	}
	var out []*shard
	for _, sh := range s.allShards() {
		if sh.expired(cutoffMs) {
			continue
		}
		c := sh.closure.Load()
		keep := true
		switch f.Type {
		case ShardFilterAtLatest:
			keep = c == nil
		case ShardFilterAtTrimHorizon:
			keep = sh.openAt(horizon)
		case ShardFilterAtTimestamp:
			keep = sh.openAt(t)
		case ShardFilterFromTimestamp:
			keep = c == nil || !c.at.Before(t)
		}
		if keep {
			out = append(out, sh)
		}
	}
	return out
}
