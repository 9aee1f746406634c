package kds

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// CreateStreamInput is the input of [Service.CreateStream].
type CreateStreamInput struct {
	// StreamName is required: 1-128 characters of [a-zA-Z0-9_.-].
	StreamName string
	// ShardCount is required in provisioned mode (at least 1) and ignored
	// in on-demand mode, where a stream starts with 4 shards.
	ShardCount int
	// StreamModeDetails chooses the capacity mode; zero means PROVISIONED.
	StreamModeDetails StreamModeDetails
	// Tags to attach at creation, as for AddTagsToStream.
	Tags map[string]string
	// MaxRecordSizeInKiB is the largest record (key plus data) the stream
	// accepts, 1024 to 10240; 0 means [DefaultMaxRecordSizeInKiB].
	MaxRecordSizeInKiB int
}

// CreateStreamOutput is the (empty) output of [Service.CreateStream].
type CreateStreamOutput struct{}

// CreateStream creates a stream whose shards split the hash key space
// evenly, exactly as Kinesis splits it. The stream is CREATING for the
// Service's create delay (see [StatusDelays]), then ACTIVE.
//
// Errors: ValidationException for malformed input, ResourceInUseException
// if the name is taken, LimitExceededException if the account's shard
// quota, on-demand stream quota, or the limit of [MaxStreamsCreating]
// streams being created at once would be exceeded.
func (svc *Service) CreateStream(ctx context.Context, in CreateStreamInput) (CreateStreamOutput, error) {
	return run(svc, ctx, opCreateStream, in, (*Service).createStream)
}

// createStream is the body of [Service.CreateStream].
func (svc *Service) createStream(ctx context.Context, in CreateStreamInput) (CreateStreamOutput, error) {
	var v violations
	if in.ShardCount < 0 {
		v.add(quote(fmt.Sprint(in.ShardCount)), "shardCount", coral.ValueAtLeast(1))
	}
	if in.StreamName == "" {
		v.add("null", "streamName", coral.MustNotBeNull)
	} else {
		v.checkName(in.StreamName, "streamName")
	}
	mode := in.StreamModeDetails.StreamMode
	switch mode {
	case "":
		mode = StreamModeProvisioned
	case StreamModeProvisioned, StreamModeOnDemand:
	default:
		v.add(quote(string(mode)), "streamModeDetails.streamMode", enumValues(string(StreamModeProvisioned), string(StreamModeOnDemand)))
	}
	v.checkMaxRecordSize(in.MaxRecordSizeInKiB)
	if in.Tags != nil {
		v.checkTagsForm(in.Tags)
	}
	if mode == StreamModeProvisioned && in.ShardCount == 0 {
		v.add("null", "shardCount", coral.MustNotBeNull)
	}
	if err := v.err(); err != nil {
		return CreateStreamOutput{}, err
	}
	if in.Tags != nil {
		if err := svc.checkTagsContent(tagOwner{stream: in.StreamName}, in.Tags, nil); err != nil {
			return CreateStreamOutput{}, err
		}
	}
	shards := in.ShardCount
	if mode == StreamModeOnDemand {
		shards = OnDemandInitialShards
	}
	maxKiB := in.MaxRecordSizeInKiB
	if maxKiB == 0 {
		maxKiB = DefaultMaxRecordSizeInKiB
	}

	now := svc.clock.Now()
	// registerMu serialises the creation of streams, and guards lastID
	// and the incarnations (see Service.serviceMetaLocked). So svc.mu can
	// be let go while the new stream is saved: no other stream can take
	// its name meanwhile.
	svc.registerMu.Lock()
	defer svc.registerMu.Unlock()
	svc.mu.Lock()
	err := svc.admitStreamLocked(in.StreamName, mode, shards, now)
	svc.mu.Unlock()
	if err != nil {
		return CreateStreamOutput{}, err
	}

	secs, tag := svc.nextIncarnationLocked(now)
	svc.lastID++
	s := &Stream{
		svc:         svc,
		name:        in.StreamName,
		arn:         svc.streamARN(in.StreamName),
		id:          svc.lastID,
		created:     now,
		readyAt:     now.Add(svc.cfg.delays.Create),
		partitioner: svc.cfg.partitioner,
		tags:        maps.Clone(in.Tags),
	}
	if s.tags == nil {
		s.tags = make(map[string]string)
	}
	s.onDemand.Store(mode == StreamModeOnDemand)
	s.retentionHours.Store(DefaultRetentionPeriodHours)
	s.maxRecordKiB.Store(int32(maxKiB))
	s.incarnationSecs, s.incarnationTag = secs, tag
	for i, r := range splitHashSpace(shards) {
		sh := newShard(uint32(i), r, now, secs, tag)
		if err := s.attachShard(sh); err != nil {
			return CreateStreamOutput{}, storeError()
		}
		s.shards = append(s.shards, sh)
	}
	s.routes.Store(newRouteTable(s.shards))
	s.limits = svc.cfg.limits
	s.applyLimitsLocked()
	s.meter = newMeter(now, shards)
	// The stream is on record before anyone can see it, or write to it.
	if err := svc.saveServiceLocked(); err != nil {
		return CreateStreamOutput{}, err
	}
	s.mu.Lock()
	err = s.saveLocked()
	s.mu.Unlock()
	if err != nil {
		return CreateStreamOutput{}, err
	}
	svc.mu.Lock()
	svc.streams[s.name] = s
	svc.byID[s.id] = s
	svc.mu.Unlock()
	return CreateStreamOutput{}, nil
}

// admitStreamLocked returns the error for a new stream of the given name,
// mode and shard count that the account cannot take at now: the name is
// in use, or a quota would be exceeded. The caller holds svc.mu.
func (svc *Service) admitStreamLocked(name string, mode StreamMode, shards int, now time.Time) error {
	svc.reapLocked(now)
	if _, taken := svc.streams[name]; taken {
		return newError(codeResourceInUse, "Stream %s under account %s already exists.", name, svc.cfg.accountID)
	}
	creating, onDemand := 0, 0
	for _, s := range svc.streams {
		if s.status(now) == StreamStatusCreating {
			creating++
		}
		if s.streamMode() == StreamModeOnDemand {
			onDemand++
		}
	}
	if creating >= MaxStreamsCreating {
		return newError(codeLimitExceeded, "Limit for streams being created concurrently exceeded")
	}
	if mode == StreamModeOnDemand && onDemand >= svc.cfg.onDemandCap {
		return newError(codeLimitExceeded, "Limit for on-demand streams has been reached")
	}
	if open := svc.openShardCountLocked(now); shards > svc.cfg.shardLimit-open {
		return svc.shardLimitError(open, shards)
	}
	return nil
}

// shardLimitError is the LimitExceededException for a request that would
// take the account past its shard quota.
func (svc *Service) shardLimitError(open, more int) error {
	return newError(codeLimitExceeded, "This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
		svc.cfg.accountID, svc.cfg.region, open, svc.cfg.shardLimit, more)
}

// checkMaxRecordSize adds the violation of a MaxRecordSizeInKiB input
// that is given (non-zero) and out of range.
func (v *violations) checkMaxRecordSize(kib int) {
	switch {
	case kib == 0:
	case kib < MinMaxRecordSizeInKiB:
		v.add(quote(fmt.Sprint(kib)), "maxRecordSizeInKiB", coral.ValueAtLeast(MinMaxRecordSizeInKiB))
	case kib > MaxMaxRecordSizeInKiB:
		v.add(quote(fmt.Sprint(kib)), "maxRecordSizeInKiB", valueAtMost(MaxMaxRecordSizeInKiB))
	}
}

// DeleteStreamInput is the input of [Service.DeleteStream].
type DeleteStreamInput struct {
	StreamName string
	StreamARN  string
	// EnforceConsumerDeletion deletes the stream even if consumers are
	// registered on it (they go with it); without it such a stream is not
	// deleted.
	EnforceConsumerDeletion bool
}

// DeleteStreamOutput is the (empty) output of [Service.DeleteStream].
type DeleteStreamOutput struct{}

// DeleteStream deletes a stream and all its data. The stream is DELETING
// for the Service's delete delay, during which reads and writes still
// work, and then it is gone: its name is free again, and iterators and
// sequence numbers from it are never accepted by a new stream of the same
// name.
func (svc *Service) DeleteStream(ctx context.Context, in DeleteStreamInput) (DeleteStreamOutput, error) {
	return run(svc, ctx, opDeleteStream, in, (*Service).deleteStream)
}

// deleteStream is the body of [Service.DeleteStream].
func (svc *Service) deleteStream(ctx context.Context, in DeleteStreamInput) (DeleteStreamOutput, error) {
	s, now, err := svc.resolve(nil, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return DeleteStreamOutput{}, err
	}
	// Hold registrations back while checking for consumers, so that none
	// slips in between the check and the deletion.
	svc.registerMu.Lock()
	defer svc.registerMu.Unlock()
	if len(s.liveConsumers(now)) > 0 {
		if !in.EnforceConsumerDeletion {
			return DeleteStreamOutput{}, newError(codeResourceInUse, "Stream %s under account %s has registered consumers; deregister them or set EnforceConsumerDeletion.", s.name, svc.cfg.accountID)
		}
		s.deregisterAll(now)
	}
	// The deletion is on record before the stream can be forgotten (and
	// its files removed). It is saved under s.mu alone: a reshard holds
	// s.mu while it takes svc.mu.
	s.mu.Lock()
	if s.goneAt.Load() == nil {
		goneAt := now.Add(svc.cfg.delays.Delete)
		s.goneAt.Store(&goneAt)
	}
	err = s.saveLocked()
	s.mu.Unlock()
	s.arrived.notify()
	if err != nil {
		return DeleteStreamOutput{}, err
	}
	svc.mu.Lock()
	svc.reapLocked(now)
	svc.mu.Unlock()
	return DeleteStreamOutput{}, nil
}

// ListStreamsInput is the input of [Service.ListStreams].
type ListStreamsInput struct {
	// Limit is the most names to return, 1 to 10000; 0 means 100. At most
	// [MaxListStreamsResults] are returned.
	Limit int
	// ExclusiveStartStreamName lists only names after this one.
	ExclusiveStartStreamName string
	// NextToken continues a listing that returned one.
	NextToken string
}

// StreamSummary describes one stream in a ListStreams result.
type StreamSummary struct {
	StreamName              string
	StreamARN               string
	StreamStatus            StreamStatus
	StreamModeDetails       StreamModeDetails
	StreamCreationTimestamp time.Time
}

// ListStreamsOutput is one page of stream names, in lexicographic order.
type ListStreamsOutput struct {
	StreamNames     []string
	StreamSummaries []StreamSummary
	HasMoreStreams  bool
	NextToken       string
}

// ListStreams lists the account's streams by name, a page at a time: pass
// the returned NextToken (or the last name as ExclusiveStartStreamName) to
// get the next page.
func (svc *Service) ListStreams(ctx context.Context, in ListStreamsInput) (ListStreamsOutput, error) {
	return run(svc, ctx, opListStreams, in, (*Service).listStreams)
}

// listStreams is the body of [Service.ListStreams].
func (svc *Service) listStreams(ctx context.Context, in ListStreamsInput) (ListStreamsOutput, error) {
	var v violations
	v.checkLimit(in.Limit, "limit", MaxRequestLimit)
	if in.ExclusiveStartStreamName != "" {
		v.checkName(in.ExclusiveStartStreamName, "exclusiveStartStreamName")
	}
	if err := v.err(); err != nil {
		return ListStreamsOutput{}, err
	}
	after := in.ExclusiveStartStreamName
	if in.NextToken != "" {
		if in.ExclusiveStartStreamName != "" {
			return ListStreamsOutput{}, newError(codeInvalidArgument, "NextToken and ExclusiveStartStreamName cannot be provided together.")
		}
		var err error
		if after, err = svc.openListStreamsToken(in.NextToken); err != nil {
			return ListStreamsOutput{}, err
		}
	}
	now := svc.clock.Now()
	limit := pageLimit(in.Limit, MaxListStreamsResults, MaxListStreamsResults)
	page, more := pageAfter(svc.sortedStreams(), (*Stream).Name, after, limit)
	out := ListStreamsOutput{StreamNames: []string{}, StreamSummaries: []StreamSummary{}, HasMoreStreams: more}
	if more {
		out.NextToken = svc.listStreamsToken(page[len(page)-1].name)
	}
	for _, s := range page {
		out.StreamNames = append(out.StreamNames, s.name)
		out.StreamSummaries = append(out.StreamSummaries, StreamSummary{
			StreamName:              s.name,
			StreamARN:               s.arn,
			StreamStatus:            s.status(now),
			StreamModeDetails:       StreamModeDetails{StreamMode: s.streamMode()},
			StreamCreationTimestamp: s.created,
		})
	}
	return out, nil
}

// UpdateMaxRecordSizeInput is the input of [Service.UpdateMaxRecordSize].
type UpdateMaxRecordSizeInput struct {
	StreamARN string
	// MaxRecordSizeInKiB is the new limit, 1024 to 10240.
	MaxRecordSizeInKiB int
}

// UpdateMaxRecordSizeOutput is the (empty) output of
// [Service.UpdateMaxRecordSize].
type UpdateMaxRecordSizeOutput struct{}

// UpdateMaxRecordSize changes the largest record (partition key plus data)
// an ACTIVE stream accepts. It applies to puts that start after it returns.
func (svc *Service) UpdateMaxRecordSize(ctx context.Context, in UpdateMaxRecordSizeInput) (UpdateMaxRecordSizeOutput, error) {
	return run(svc, ctx, opUpdateMaxRecordSize, in, (*Service).updateMaxRecordSize)
}

// updateMaxRecordSize is the body of [Service.UpdateMaxRecordSize].
func (svc *Service) updateMaxRecordSize(ctx context.Context, in UpdateMaxRecordSizeInput) (UpdateMaxRecordSizeOutput, error) {
	var v violations
	if in.MaxRecordSizeInKiB == 0 {
		v.add("null", "maxRecordSizeInKiB", coral.MustNotBeNull)
	}
	v.checkMaxRecordSize(in.MaxRecordSizeInKiB)
	if in.StreamARN == "" {
		v.add("null", "streamARN", coral.MustNotBeNull)
	}
	s, now, err := svc.resolve(v, streamRef{arn: in.StreamARN})
	if err != nil {
		return UpdateMaxRecordSizeOutput{}, err
	}
	if err := s.requireActive(now); err != nil {
		return UpdateMaxRecordSizeOutput{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxRecordKiB.Store(int32(in.MaxRecordSizeInKiB))
	return UpdateMaxRecordSizeOutput{}, s.saveLocked()
}
