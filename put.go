package kds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// PutRecordInput is the input of [Service.PutRecord].
type PutRecordInput struct {
	StreamName string
	StreamARN  string
	// Data is the payload; it is copied, so the caller may reuse it.
	Data []byte
	// PartitionKey (1-256 characters) chooses the shard through its MD5
	// hash, unless ExplicitHashKey is given.
	PartitionKey string
	// ExplicitHashKey is a decimal hash key in [0, 2^128-1] that overrides
	// the partition key's hash.
	ExplicitHashKey string
	// SequenceNumberForOrdering is the sequence number of the previous
	// record put with the same key. Records in a shard are always numbered
	// in the order they are accepted, so this only needs to be valid.
	SequenceNumberForOrdering string
}

// PutRecordOutput tells where a record was stored.
type PutRecordOutput struct {
	ShardId        string
	SequenceNumber SequenceNumber
	EncryptionType EncryptionType
}

// PutRecord writes one record to the stream, into the open shard whose
// hash key range holds the record's hash key.
//
// Errors: ValidationException for a malformed request, InvalidArgument-
// Exception for an out-of-range ExplicitHashKey, a record above the
// stream's MaxRecordSizeInKiB or a bad SequenceNumberForOrdering,
// ResourceNotFoundException if the stream does not exist or is CREATING.
func (svc *Service) PutRecord(ctx context.Context, in PutRecordInput) (PutRecordOutput, error) {
	if !svc.cfg.dataHooked {
		return svc.putRecord(ctx, in)
	}
	return run(svc, ctx, opPutRecord, in, (*Service).putRecord)
}

// putRecord is the body of [Service.PutRecord].
func (svc *Service) putRecord(ctx context.Context, in PutRecordInput) (PutRecordOutput, error) {
	var v violations
	if in.SequenceNumberForOrdering != "" && !isCanonicalDecimal(in.SequenceNumberForOrdering, 129) {
		v.add(quote(in.SequenceNumberForOrdering), "sequenceNumberForOrdering", matchPattern(seqNumPattern))
	}
	v.checkEntry(in.PartitionKey, in.ExplicitHashKey, in.Data, 0)
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return PutRecordOutput{}, err
	}
	return s.putRecord(ctx, now, in.PartitionKey, in.ExplicitHashKey, in.SequenceNumberForOrdering, in.Data)
}

// putRecord stores one validated-in-form record in s, on behalf of ctx's
// caller.
func (s *Stream) putRecord(ctx context.Context, now time.Time, key, explicitHashKey, ordering string, data []byte) (PutRecordOutput, error) {
	if !s.serving(now) || s.gone(now) {
		return PutRecordOutput{}, s.svc.notFound(s.name)
	}
	if ordering != "" {
		if n, err := ParseSequenceNumber(ordering); err != nil || !s.mayHaveIssued(n, now) {
			return PutRecordOutput{}, s.orderingError(ordering)
		}
	}
	if err := s.checkRecordSize(key, data); err != nil {
		return PutRecordOutput{}, err
	}
	sh, err := s.route(s.routes.Load(), key, explicitHashKey)
	if err != nil {
		return PutRecordOutput{}, err
	}
	w, err := s.writeKey(ctx, now)
	if err != nil {
		return PutRecordOutput{}, err
	}
	if err := s.svc.storeFailure(); err != nil {
		return PutRecordOutput{}, err
	}
	sh.mu.Lock()
	for sh.closure.Load() != nil {
		// A reshard closed the shard after routing; its children are in
		// the table by now.
		sh.mu.Unlock()
		sh, _ = s.route(s.routes.Load(), key, explicitHashKey)
		sh.mu.Lock()
	}
	var b batch
	budget := sh.limiters.Load().budget(now)
	if !budget.take(len(key) + len(data)) {
		sh.mu.Unlock()
		b.throttled++
		s.meter.put(b, int(s.retentionHours.Load()))
		s.observePutRecord(now, sh, 0, false)
		return PutRecordOutput{}, newError(codeProvisionedThroughputExceeded, "%s", s.throttleMessage(sh))
	}
	budget.commit()
	seq := sh.appendLocked(key, data, now.UnixMilli(), s.cutoffMs(now), w)
	run := sh.commitLocked()
	sh.mu.Unlock()
	if err := run.wait(); err != nil {
		return PutRecordOutput{}, s.writeError(err)
	}
	s.arrived.notify()
	b.add(len(key) + len(data))
	s.recordPut(now, b)
	s.observePutRecord(now, sh, len(key)+len(data), true)
	return PutRecordOutput{ShardId: sh.id, SequenceNumber: seq, EncryptionType: w.encryptionType()}, nil
}

// writeError is the error a put gets when its records could not be made
// durable: ResourceNotFoundException if the stream was deleted meanwhile,
// InternalFailureException otherwise.
func (s *Stream) writeError(err error) error {
	if errors.Is(err, errLogRetired) {
		return s.svc.notFound(s.name)
	}
	return storeError()
}

// mayHaveIssued reports whether sequence number n could have been issued
// already, as a SequenceNumberForOrdering must be: a number of one of the
// stream's shards must be below that shard's next, and any other number
// must not be from the future.
func (s *Stream) mayHaveIssued(n SequenceNumber, now time.Time) bool {
	if sh, ok := s.shard(n.shardIndex()); ok && sh.belongsTo(n) {
		return n.counter() < sh.snapshot().end()
	}
	return n.arrival() <= now.Unix()
}

// recordPut accounts for a put call: its usage, and for an on-demand
// stream its throughput, which may call for more or fewer shards.
func (s *Stream) recordPut(now time.Time, b batch) {
	s.meter.put(b, int(s.retentionHours.Load()))
	if s.onDemand.Load() && s.demand.add(now, b.bytes, b.records) {
		s.autoscale(now)
	}
}

// orderingError is the error for a SequenceNumberForOrdering that is not
// a sequence number Kinesis could have issued.
func (s *Stream) orderingError(ordering string) error {
	return newError(codeInvalidArgument, "ExclusiveMinimumSequenceNumber %s used in PutRecord on stream %s under account %s is invalid.", ordering, s.name, s.svc.cfg.accountID)
}

// PutRecordsRequestEntry is one record of a PutRecords call.
type PutRecordsRequestEntry struct {
	Data            []byte
	PartitionKey    string
	ExplicitHashKey string
}

// PutRecordsInput is the input of [Service.PutRecords].
type PutRecordsInput struct {
	StreamName string
	StreamARN  string
	// Records to put: 1 to [MaxPutRecordsEntries], at most
	// [MaxPutRecordsRequestBytes] of keys and data together.
	Records []PutRecordsRequestEntry
}

// PutRecordsResultEntry is the outcome of one record of a PutRecords
// call: either ShardId and SequenceNumber, or ErrorCode and ErrorMessage.
type PutRecordsResultEntry struct {
	ShardId        string
	SequenceNumber SequenceNumber
	ErrorCode      string
	ErrorMessage   string
}

// PutRecordsOutput holds one result per request entry, in request order.
type PutRecordsOutput struct {
	FailedRecordCount int
	Records           []PutRecordsResultEntry
	EncryptionType    EncryptionType
}

// PutRecords writes up to 500 records in one call. Records bound for the
// same shard are stored in request order. A malformed entry, an invalid
// ExplicitHashKey or an oversized record fails the whole call and stores
// nothing; throttling fails records one by one, reported in their result
// entries and counted in FailedRecordCount.
func (svc *Service) PutRecords(ctx context.Context, in PutRecordsInput) (PutRecordsOutput, error) {
	if !svc.cfg.dataHooked {
		return svc.putRecords(ctx, in)
	}
	return run(svc, ctx, opPutRecords, in, (*Service).putRecords)
}

// putRecords is the body of [Service.PutRecords].
func (svc *Service) putRecords(ctx context.Context, in PutRecordsInput) (PutRecordsOutput, error) {
	var v violations
	switch n := len(in.Records); {
	case in.Records == nil:
		v.add("null", "records", coral.MustNotBeNull)
	case n == 0:
		v.add("'[]'", "records", lengthAtLeast(1))
	case n > MaxPutRecordsEntries:
		v.add(quote(fmt.Sprintf("[%d records]", n)), "records", lengthAtMost(MaxPutRecordsEntries))
	}
	for i, r := range in.Records {
		if len(v) >= 10 {
			break
		}
		v.checkEntry(r.PartitionKey, r.ExplicitHashKey, r.Data, i+1)
	}
	s, now, err := svc.resolve(v, streamRef{in.StreamName, in.StreamARN})
	if err != nil {
		return PutRecordsOutput{}, err
	}
	return s.putRecords(ctx, now, in.Records)
}

// putRecords stores a validated-in-form batch in s, on behalf of ctx's
// caller: every record is checked before any is stored.
func (s *Stream) putRecords(ctx context.Context, now time.Time, records []PutRecordsRequestEntry) (PutRecordsOutput, error) {
	if !s.serving(now) || s.gone(now) {
		return PutRecordsOutput{}, s.svc.notFound(s.name)
	}
	total := 0
	for _, r := range records {
		total += len(r.PartitionKey) + len(r.Data)
	}
	if total > MaxPutRecordsRequestBytes {
		return PutRecordsOutput{}, newError(codeInvalidArgument, "Records size exceeds %d MB limit", MaxPutRecordsRequestBytes>>20)
	}
	routes := s.routes.Load()
	targets := make([]*shard, len(records))
	for i, r := range records {
		err := s.checkRecordSize(r.PartitionKey, r.Data)
		if err != nil {
			return PutRecordsOutput{}, err
		}
		if targets[i], err = s.route(routes, r.PartitionKey, r.ExplicitHashKey); err != nil {
			return PutRecordsOutput{}, err
		}
	}

	w, err := s.writeKey(ctx, now)
	if err != nil {
		return PutRecordsOutput{}, err
	}
	if err := s.svc.storeFailure(); err != nil {
		return PutRecordsOutput{}, err
	}
	out := PutRecordsOutput{Records: make([]PutRecordsResultEntry, len(records)), EncryptionType: w.encryptionType()}
	nowMs, cutoff := now.UnixMilli(), s.cutoffMs(now)
	var (
		b      batch
		held   *shard
		budget writeBudget // what held's write limits still allow
		shards shardWrites // per shard, for shard-level metrics if on
		logged []*shard    // with a store, the shards appended to
	)
	perShard := s.enhanced() != 0
	for i := 0; i < len(records); {
		sh := targets[i]
		if sh != held {
			if held != nil {
				budget.commit()
				held.mu.Unlock()
			}
			sh.mu.Lock()
			held = sh
			if sh.log != nil && !slices.Contains(logged, sh) {
				logged = append(logged, sh)
			}
			if sh.closure.Load() != nil {
				// A reshard closed the shard after routing: route the rest
				// of the batch again; the table has the children by now.
				routes = s.routes.Load()
				for j := i; j < len(records); j++ {
					targets[j], _ = s.route(routes, records[j].PartitionKey, records[j].ExplicitHashKey)
				}
				continue
			}
			budget = sh.limiters.Load().budget(now)
		}
		r := records[i]
		if size := len(r.PartitionKey) + len(r.Data); budget.take(size) {
			out.Records[i] = PutRecordsResultEntry{ShardId: sh.id, SequenceNumber: sh.appendLocked(r.PartitionKey, r.Data, nowMs, cutoff, w)}
			b.add(size)
			if perShard {
				shards.add(sh, size, true)
			}
		} else {
			out.Records[i] = PutRecordsResultEntry{ErrorCode: codeProvisionedThroughputExceeded, ErrorMessage: s.throttleMessage(sh)}
			out.FailedRecordCount++
			b.throttled++
			if perShard {
				shards.add(sh, size, false)
			}
		}
		i++
	}
	budget.commit()
	if logged == nil {
		held.mu.Unlock()
	} else {
		// The records are written once per shard, at the end, however
		// they alternated between shards.
		awaitRuns(commitLogs(held, logged), targets, &out)
	}
	s.observeShardWrites(now, shards)
	s.arrived.notify()
	s.recordPut(now, b)
	s.observePutRecords(now, b)
	return out, nil
}

// checkEntry adds the violations of one record's fields. index is the
// record's 1-based place in a PutRecords batch, or 0 for PutRecord.
func (v *violations) checkEntry(key, explicitHashKey string, data []byte, index int) {
	path := func(field string) string {
		if index == 0 {
			return field
		}
		return fmt.Sprintf("records.%d.member.%s", index, field)
	}
	switch n := textLength(key); {
	case n == 0:
		v.add(quote(key), path("partitionKey"), lengthAtLeast(1))
	case n > MaxPartitionKeyLength:
		v.add(quote(key), path("partitionKey"), lengthAtMost(MaxPartitionKeyLength))
	}
	if explicitHashKey != "" && !isCanonicalDecimal(explicitHashKey, 39) {
		v.add(quote(explicitHashKey), path("explicitHashKey"), matchPattern(hashKeyPattern))
	}
	if len(data) > MaxDataBytes {
		v.add(blobValue(len(data)), path("data"), lengthAtMost(MaxDataBytes))
	}
}

// checkRecordSize returns the error for a record larger than the stream's
// MaxRecordSizeInKiB (partition key bytes plus data bytes).
func (s *Stream) checkRecordSize(key string, data []byte) error {
	limit := int(s.maxRecordKiB.Load()) << 10
	if size := len(key) + len(data); size > limit {
		return newError(codeInvalidArgument, "Record size %d bytes (partition key plus data) exceeds the maximum record size of %d KiB for stream %s under account %s.", size, limit>>10, s.name, s.svc.cfg.accountID)
	}
	return nil
}

// route returns the open shard of table t that a record goes to. With a
// single open shard every hash key leads there, so the partition key is
// not hashed; an ExplicitHashKey is still checked.
func (s *Stream) route(t *routeTable, key, explicitHashKey string) (*shard, error) {
	if explicitHashKey == "" {
		if len(t.shards) == 1 {
			return t.shards[0], nil
		}
		return t.lookup(s.partitioner.hash(key)), nil
	}
	hk, err := ParseHashKey(explicitHashKey)
	if err != nil {
		return nil, newError(codeInvalidArgument, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was %s", explicitHashKey)
	}
	return t.lookup(hk), nil
}
