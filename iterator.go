package kds

import (
	"context"
	"encoding/binary"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// GetShardIteratorInput is the input of [Service.GetShardIterator].
type GetShardIteratorInput struct {
	StreamName string
	StreamARN  string
	// ShardId names the shard; "shardId-000000000001", "shardId-1" and "1"
	// all name the same one.
	ShardId string
	// ShardIteratorType says where to start.
	ShardIteratorType ShardIteratorType
	// StartingSequenceNumber is required with AT_SEQUENCE_NUMBER and
	// AFTER_SEQUENCE_NUMBER, and not allowed otherwise.
	StartingSequenceNumber string
	// Timestamp is required with AT_TIMESTAMP.
	Timestamp time.Time
}

// GetShardIteratorOutput carries the new iterator.
type GetShardIteratorOutput struct {
	// ShardIterator is an opaque token for GetRecords, valid for
	// [IteratorLifetime].
	ShardIterator string
}

// GetShardIterator returns an iterator positioned in one shard. Iterators
// are opaque and tamper-evident, expire after [IteratorLifetime] on the
// Service's clock, and die with their stream.
func (svc *Service) GetShardIterator(ctx context.Context, in GetShardIteratorInput) (GetShardIteratorOutput, error) {
	if !svc.cfg.dataHooked {
		return svc.getShardIterator(ctx, in)
	}
	return run(svc, ctx, opGetShardIterator, in, (*Service).getShardIterator)
}

// getShardIterator is the body of [Service.GetShardIterator].
func (svc *Service) getShardIterator(ctx context.Context, in GetShardIteratorInput) (GetShardIteratorOutput, error) {
	var v violations
	v.checkRequiredShardID(in.ShardId, "shardId")
	v.checkIteratorType(in.ShardIteratorType, "shardIteratorType")
	if in.StartingSequenceNumber != "" && !isCanonicalDecimal(in.StartingSequenceNumber, 129) {
		v.add(quote(in.StartingSequenceNumber), "startingSequenceNumber", matchPattern(seqNumPattern))
	}
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return GetShardIteratorOutput{}, err
	}
	sh, err := s.lookupShard(in.ShardId, now)
	if err != nil {
		return GetShardIteratorOutput{}, err
	}
	pos, err := s.iteratorPosition("GetShardIterator", sh, in, now)
	if err != nil {
		return GetShardIteratorOutput{}, err
	}
	return GetShardIteratorOutput{ShardIterator: svc.iteratorToken(s, sh, pos.startCounter(sh.snapshot()), now)}, nil
}

// iteratorPosition checks the type, sequence number and timestamp of a
// GetShardIterator request (or of another operation op that starts
// reading at a position) against sh and returns the position they denote.
func (s *Stream) iteratorPosition(op string, sh *shard, in GetShardIteratorInput, now time.Time) (StartPosition, error) {
	acct := s.svc.cfg.accountID
	typ := in.ShardIteratorType
	hasSeq := in.StartingSequenceNumber != ""
	bySeq := typ == ShardIteratorTypeAtSequenceNumber || typ == ShardIteratorTypeAfterSequenceNumber
	if bySeq != hasSeq && typ != ShardIteratorTypeAtTimestamp {
		also := "and no"
		if hasSeq {
			also = "and also a"
		}
		return StartPosition{}, newError(codeInvalidArgument, "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified %s %s StartingSequenceNumber.", typ, also)
	}
	switch typ {
	case ShardIteratorTypeTrimHorizon:
		return TrimHorizon(), nil
	case ShardIteratorTypeLatest:
		return Latest(), nil
	case ShardIteratorTypeAtTimestamp:
		if in.Timestamp.IsZero() {
			return StartPosition{}, newError(codeInvalidArgument, "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.")
		}
		if in.Timestamp.UnixMilli() > now.UnixMilli() {
			return StartPosition{}, newError(codeInvalidArgument, "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: %d, currentTimestampInMillis: %d", in.Timestamp.UnixMilli(), now.UnixMilli())
		}
		return AtTimestamp(in.Timestamp), nil
	}
	seq, err := ParseSequenceNumber(in.StartingSequenceNumber)
	switch {
	case err != nil:
		return StartPosition{}, newError(codeInvalidArgument, "StartingSequenceNumber %s used in %s on shard %s in stream %s under account %s is invalid.", in.StartingSequenceNumber, op, sh.id, s.name, acct)
	case seq.shardIndex() != sh.index:
		return StartPosition{}, newError(codeInvalidArgument, "Invalid StartingSequenceNumber. It encodes %s, while it was used in a call to a shard with %s", shardID(seq.shardIndex()), sh.id)
	case !sh.belongsTo(seq):
		return StartPosition{}, newError(codeInvalidArgument, "StartingSequenceNumber %s used in %s on shard %s in stream %s under account %s is invalid because it did not come from this stream.", in.StartingSequenceNumber, op, sh.id, s.name, acct)
	}
	if typ == ShardIteratorTypeAfterSequenceNumber {
		return AfterSequence(seq), nil
	}
	return AtSequence(seq), nil
}

// iteratorToken seals a shard iterator: stream incarnation, shard, the
// counter of the next record to read, and when it was issued.
func (svc *Service) iteratorToken(s *Stream, sh *shard, next uint64, now time.Time) string {
	b := make([]byte, 0, 64)
	b = append(b, tokenKindIterator)
	b = binary.BigEndian.AppendUint64(b, s.id)
	b = binary.BigEndian.AppendUint32(b, sh.index)
	b = binary.BigEndian.AppendUint64(b, next)
	b = binary.BigEndian.AppendUint64(b, uint64(now.UnixMilli()))
	b = appendTokenString(b, s.name)
	return svc.tokens.seal(b)
}

// shardIterator is a decoded shard iterator.
type shardIterator struct {
	streamID uint64
	shard    uint32
	next     uint64
	issued   time.Time
	stream   string
}

// openIterator decodes and checks a shard iterator.
func (svc *Service) openIterator(tok string, now time.Time) (shardIterator, error) {
	it, ok := svc.decodeIterator(tok)
	if !ok || it.issued.After(now) {
		return shardIterator{}, newError(codeInvalidArgument, "Invalid ShardIterator.")
	}
	if now.Sub(it.issued) > IteratorLifetime {
		return shardIterator{}, newError(codeExpiredIterator, "Iterator expired. The iterator was created at time %s while right now it is %s which is further in the future than the tolerated delay of %d milliseconds.",
			javaDate(it.issued), javaDate(now), IteratorLifetime.Milliseconds())
	}
	return it, nil
}

// decodeIterator reads a shard iterator this Service issued, whatever its
// age; openIterator judges the age.
func (svc *Service) decodeIterator(tok string) (shardIterator, bool) {
	payload, ok := svc.tokens.open(tok)
	r := tokenReader{b: payload}
	if !ok || r.byte() != tokenKindIterator {
		return shardIterator{}, false
	}
	it := shardIterator{streamID: r.uint64(), shard: r.uint32(), next: r.uint64()}
	it.issued = time.UnixMilli(int64(r.uint64()))
	it.stream = r.string()
	return it, !r.bad
}

// GetRecordsInput is the input of [Service.GetRecords].
type GetRecordsInput struct {
	// ShardIterator is required: from GetShardIterator or the previous
	// GetRecords call's NextShardIterator.
	ShardIterator string
	// Limit is the most records to return, 1 to 10000; 0 means 10000.
	Limit int
	// StreamARN, if given, must be the iterator's stream.
	StreamARN string
}

// childShards describes the children of a closed shard as GetRecords
// reports them.
func (c *shardClosure) childShards() []ChildShard {
	out := make([]ChildShard, len(c.children))
	for i, ch := range c.children {
		parents := make([]string, len(ch.parents))
		for j, p := range ch.parents {
			parents[j] = p.id
		}
		out[i] = ChildShard{ShardId: ch.id, ParentShards: parents, HashKeyRange: ch.hashRange}
	}
	return out
}

// ChildShard is a shard created from one that a reader has finished.
type ChildShard struct {
	ShardId      string
	ParentShards []string
	HashKeyRange HashKeyRange
}

// GetRecordsOutput is one page of records from a shard.
type GetRecordsOutput struct {
	// Records may be empty even when more records lie further on; keep
	// calling with NextShardIterator.
	Records []Record
	// NextShardIterator continues after the returned records.
	NextShardIterator string
	// MillisBehindLatest is how far, in milliseconds, the next unread
	// record is behind the present; 0 means the reader is caught up.
	MillisBehindLatest int64
	// ChildShards is set once a reader reaches the end of a closed shard.
	ChildShards []ChildShard
}

// GetRecords reads records from the position of a shard iterator: at most
// Limit records and at most [MaxGetRecordsBytes] of data, never any that
// have left the retention window. The returned records share the stream's
// memory and are read-only.
func (svc *Service) GetRecords(ctx context.Context, in GetRecordsInput) (GetRecordsOutput, error) {
	if !svc.cfg.dataHooked {
		return svc.getRecords(ctx, in)
	}
	return run(svc, ctx, opGetRecords, in, (*Service).getRecords)
}

// getRecords is the body of [Service.GetRecords].
func (svc *Service) getRecords(ctx context.Context, in GetRecordsInput) (GetRecordsOutput, error) {
	var v violations
	v.checkLimit(in.Limit, "limit", MaxGetRecordsLimit)
	switch n := len(in.ShardIterator); {
	case n == 0:
		v.add("null", "shardIterator", coral.MustNotBeNull)
	case n > 512:
		v.add(quote(in.ShardIterator), "shardIterator", lengthAtMost(512))
	}
	if err := v.err(); err != nil {
		return GetRecordsOutput{}, err
	}
	now := svc.clock.Now()
	it, err := svc.openIterator(in.ShardIterator, now)
	if err != nil {
		return GetRecordsOutput{}, err
	}
	s, ok := svc.streamByID(it.streamID, now)
	var sh *shard
	if ok {
		sh, _ = s.shard(it.shard)
	}
	if sh == nil || sh.expired(s.cutoffMs(now)) {
		return GetRecordsOutput{}, newError(codeResourceNotFound, "Shard %s in stream %s under account %s does not exist", shardID(it.shard), it.stream, svc.cfg.accountID)
	}
	if in.StreamARN != "" && in.StreamARN != s.arn {
		return GetRecordsOutput{}, newError(codeInvalidArgument, "StreamARN %s does not match the stream of the shard iterator, %s.", in.StreamARN, s.arn)
	}
	limit := pageLimit(in.Limit, MaxGetRecordsLimit, MaxGetRecordsLimit)
	view := sh.snapshot()
	end := view.end()
	if c := sh.closure.Load(); c != nil && it.next >= c.end {
		// The reader has finished a closed shard: no more iterators, but
		// the shards that carry on from it.
		s.observeRead(now, sh, nil, 0, true)
		return GetRecordsOutput{Records: []Record{}, ChildShards: c.childShards()}, nil
	}
	lim := sh.limiters.Load()
	if !lim.admitRead(now) {
		s.meter.read(nil, true)
		s.observeReadThrottled(now, sh)
		return GetRecordsOutput{}, newError(codeProvisionedThroughputExceeded, "%s", s.throttleMessage(sh))
	}
	size := 0
	if it.next < end {
		size = int(min(uint64(limit), end-it.next))
	}
	records, next, err := sh.readInto(make([]Record, 0, size), view, it.next, limit, MaxGetRecordsBytes, s.cutoffMs(now), reading{ctx, s, now})
	if err != nil {
		return GetRecordsOutput{}, err
	}
	s.meter.read(records, false)
	lim.chargeRead(now, recordBytes(records))
	out := GetRecordsOutput{
		Records:           records,
		NextShardIterator: svc.iteratorToken(s, sh, next, now),
	}
	if next < end {
		out.MillisBehindLatest = max(0, now.UnixMilli()-view.arrivalOf(next))
	}
	s.observeRead(now, sh, records, iteratorAge(now, records, out.MillisBehindLatest), true)
	return out, nil
}
