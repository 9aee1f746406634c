package kds

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/kdsgo/kds/iam"
	"github.com/kdsgo/kds/internal/awsarn"
	"golang.org/x/time/rate"
)

// metaFormat is the version of the metadata layout below; a store refuses
// metadata of another.
const metaFormat = 1

// serviceMeta is the Service-wide state a store keeps (service.json):
// what makes the ARNs, IDs, sequence numbers and tokens it gives out
// unique and lasting.
type serviceMeta struct {
	Format    int    `json:"format"`
	AccountID string `json:"accountID"`
	Region    string `json:"region"`
	// TokenKey seals shard iterators and pagination tokens (32 bytes).
	TokenKey    []byte          `json:"tokenKey"`
	LastID      uint64          `json:"lastID"`
	Incarnation incarnationMeta `json:"incarnation"`
	// ConsumerARNSecs is Service.consumerARNSecs.
	ConsumerARNSecs map[string]int64 `json:"consumerARNSecs,omitempty"`
}

// incarnationMeta is Service.lastIncarnation.
type incarnationMeta struct {
	Secs int64 `json:"secs"`
	Used int   `json:"used"`
	Tag  uint8 `json:"tag"`
}

// streamMeta is one stream's metadata a store keeps (stream.json):
// everything about it but its records, its usage and its metrics. What can
// be derived (the ARN, children of shards, sequence number ranges) is not
// kept.
type streamMeta struct {
	Format          int         `json:"format"`
	ID              uint64      `json:"id"`
	Name            string      `json:"name"`
	Created         time.Time   `json:"created"`
	ReadyAt         time.Time   `json:"readyAt"`
	GoneAt          *time.Time  `json:"goneAt,omitempty"`
	IncarnationSecs int64       `json:"incarnationSecs"`
	IncarnationTag  uint8       `json:"incarnationTag"`
	Partitioner     Partitioner `json:"partitioner"`
	Mode            StreamMode  `json:"mode"`
	RetentionHours  int         `json:"retentionHours"`
	TrimFloorMs     int64       `json:"trimFloorMs,omitempty"`
	MaxRecordKiB    int         `json:"maxRecordKiB"`
	// Limits has its non-finite rates saved as 0 (unlimited).
	Limits            ThroughputLimits  `json:"limits"`
	ShardLevelMetrics []string          `json:"shardLevelMetrics,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
	Policy            string            `json:"policy,omitempty"` // the document; "" if none
	EncryptionKeyID   string            `json:"encryptionKeyId,omitempty"`
	// The calls the rolling daily rate limits count.
	Scalings     []time.Time `json:"scalings,omitempty"`
	ModeSwitches []time.Time `json:"modeSwitches,omitempty"`
	KeyStarts    []time.Time `json:"keyStarts,omitempty"`
	KeyStops     []time.Time `json:"keyStops,omitempty"`

	Pending   *pendingMeta   `json:"pending,omitempty"`
	Demand    demandMeta     `json:"demand,omitzero"`
	Shards    []shardMeta    `json:"shards"`
	Consumers []consumerMeta `json:"consumers,omitempty"`
}

// pendingMeta is a pendingUpdate: its due time and its streamChange.
type pendingMeta struct {
	Kind     changeKind `json:"kind"`
	Due      time.Time  `json:"due"`
	Shard    uint32     `json:"shard,omitempty"`
	Adjacent uint32     `json:"adjacent,omitempty"`
	HashKey  string     `json:"hashKey,omitempty"`
	Target   int        `json:"target,omitempty"`
	KeyID    string     `json:"keyId,omitempty"`
}

// demandMeta is what an on-demand stream's demand tracker keeps beyond
// the current minute.
type demandMeta struct {
	Peaks            []peakMeta `json:"peaks,omitempty"`
	FloorBytesPerSec float64    `json:"floorBytesPerSec,omitempty"`
	FloorUntil       time.Time  `json:"floorUntil,omitzero"`
}

// peakMeta is a dayPeak.
type peakMeta struct {
	Day           int64   `json:"day"`
	BytesPerSec   float64 `json:"bytesPerSec"`
	RecordsPerSec float64 `json:"recordsPerSec"`
}

// shardMeta is one shard: its place among the stream's shards, and how it
// ended if it is closed.
type shardMeta struct {
	Index           uint32      `json:"index"`
	StartingHashKey string      `json:"startingHashKey"`
	EndingHashKey   string      `json:"endingHashKey"`
	Parents         []uint32    `json:"parents,omitempty"`
	CreatedAt       time.Time   `json:"createdAt"`
	Closed          *closedMeta `json:"closed,omitempty"`
}

// closedMeta is a shardClosure without its children, which are derived.
type closedMeta struct {
	At  time.Time `json:"at"`
	End uint64    `json:"end"` // counter one past the shard's last record
}

// consumerMeta is one registered consumer.
type consumerMeta struct {
	Name    string            `json:"name"`
	ARN     string            `json:"arn"`
	Created time.Time         `json:"created"`
	ReadyAt time.Time         `json:"readyAt"`
	GoneAt  *time.Time        `json:"goneAt,omitempty"`
	Tags    map[string]string `json:"tags,omitempty"`
	Policy  string            `json:"policy,omitempty"`
}

// keysMeta is the state of the Service's own KeyService (keys.json). The
// material of its keys is in the clear.
type keysMeta struct {
	Keys    []keyMeta         `json:"keys"`
	Aliases map[string]string `json:"aliases"`
}

// keyMeta is one KMS key of a KeyService.
type keyMeta struct {
	ID         string    `json:"id"`
	Material   []byte    `json:"material"`
	State      KeyState  `json:"state"`
	AWSManaged bool      `json:"awsManaged,omitempty"`
	DeleteAt   time.Time `json:"deleteAt,omitzero"`
	Users      []string  `json:"users,omitempty"`
}

// serviceMetaLocked returns the Service-wide state to save. The caller
// holds svc.registerMu, under which alone all of it changes.
func (svc *Service) serviceMetaLocked() *serviceMeta {
	last := svc.lastIncarnation
	return &serviceMeta{
		Format:          metaFormat,
		AccountID:       svc.cfg.accountID,
		Region:          svc.cfg.region,
		TokenKey:        slices.Clone(svc.tokens.key[:]),
		LastID:          svc.lastID,
		Incarnation:     incarnationMeta{Secs: last.secs, Used: last.used, Tag: last.tag},
		ConsumerARNSecs: maps.Clone(svc.consumerARNSecs),
	}
}

// metaLocked returns the stream's metadata to save. The caller holds s.mu.
func (s *Stream) metaLocked() *streamMeta {
	m := &streamMeta{
		Format:            metaFormat,
		ID:                s.id,
		Name:              s.name,
		Created:           s.created,
		ReadyAt:           s.readyAt,
		GoneAt:            copyTime(s.goneAt.Load()),
		IncarnationSecs:   s.incarnationSecs,
		IncarnationTag:    s.incarnationTag,
		Partitioner:       s.partitioner,
		Mode:              s.streamMode(),
		RetentionHours:    int(s.retentionHours.Load()),
		TrimFloorMs:       s.trimFloorMs.Load(),
		MaxRecordKiB:      int(s.maxRecordKiB.Load()),
		Limits:            finiteLimits(s.limits),
		ShardLevelMetrics: metricSet(s.metrics.Load()).names(),
		Tags:              maps.Clone(s.tags),
		Policy:            policyDocument(s.policy.Load()),
		Scalings:          slices.Clone(s.scalings),
		ModeSwitches:      slices.Clone(s.modeSwitches),
		KeyStarts:         slices.Clone(s.keyStarts),
		KeyStops:          slices.Clone(s.keyStops),
		Demand:            s.demand.meta(),
		Shards:            make([]shardMeta, len(s.shards)),
	}
	if e := s.encryption.Load(); e != nil {
		m.EncryptionKeyID = e.keyID
	}
	if p := s.pending.Load(); p != nil && !s.applyingPending {
		m.Pending = p.meta()
	}
	for i, sh := range s.shards {
		m.Shards[i] = sh.meta()
	}
	for _, name := range slices.Sorted(maps.Keys(s.consumers)) {
		m.Consumers = append(m.Consumers, s.consumers[name].meta())
	}
	return m
}

// copyTime returns a pointer to a copy of *t, or nil if t is nil.
func copyTime(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

// policyDocument returns p's document, or "" if p is nil.
func policyDocument(p *iam.Policy) string {
	if p == nil {
		return ""
	}
	return p.Document
}

// finiteLimits returns l with its rates that JSON cannot hold (infinite or
// NaN) set to 0, which leaves their dimensions unlimited as +Inf did.
func finiteLimits(l ThroughputLimits) ThroughputLimits {
	for _, f := range []*float64{&l.WriteBytesPerSecond, &l.WriteRecordsPerSecond, &l.ReadBytesPerSecond, &l.ReadCallsPerSecond} {
		if math.IsInf(*f, 0) || math.IsNaN(*f) {
			*f = 0
		}
	}
	return l
}

// meta returns the pending update's metadata.
func (p *pendingUpdate) meta() *pendingMeta {
	c := p.change
	m := &pendingMeta{Kind: c.kind, Due: p.due, Shard: c.shard, Adjacent: c.adjacent, Target: c.target, KeyID: c.keyID}
	if c.kind == changeSplit {
		m.HashKey = c.at.String()
	}
	return m
}

// meta returns what the tracker keeps beyond the current minute.
func (d *demand) meta() demandMeta {
	d.mu.Lock()
	defer d.mu.Unlock()
	m := demandMeta{FloorBytesPerSec: d.floorBytesPerSec, FloorUntil: d.floorUntil}
	for _, p := range d.peaks {
		m.Peaks = append(m.Peaks, peakMeta{Day: p.day, BytesPerSec: p.bytesPerSec, RecordsPerSec: p.recordsPerSec})
	}
	return m
}

// meta returns the shard's metadata.
func (sh *shard) meta() shardMeta {
	m := shardMeta{
		Index:           sh.index,
		StartingHashKey: sh.hashRange.StartingHashKey.String(),
		EndingHashKey:   sh.hashRange.EndingHashKey.String(),
		CreatedAt:       sh.createdAt,
	}
	for _, p := range sh.parents {
		m.Parents = append(m.Parents, p.index)
	}
	if c := sh.closure.Load(); c != nil {
		m.Closed = &closedMeta{At: c.at, End: c.end}
	}
	return m
}

// meta returns the consumer's metadata. The caller holds the stream's mu.
func (c *consumer) meta() consumerMeta {
	return consumerMeta{
		Name:    c.name,
		ARN:     c.arn,
		Created: c.created,
		ReadyAt: c.readyAt,
		GoneAt:  copyTime(c.goneAt.Load()),
		Tags:    maps.Clone(c.tags),
		Policy:  policyDocument(c.policy.Load()),
	}
}

// restore makes the Service what state holds: its own state, its keys and
// its streams. Streams whose deletion has completed are dropped from the
// store; streams whose metadata is damaged are left out and reported in
// svc.restoreProblems. It runs before the Service is used.
func (svc *Service) restore(state *storedState) error {
	m := state.service
	switch {
	case m.Format != metaFormat:
		return fmt.Errorf("kds: the data directory's metadata has format %d; this version reads %d", m.Format, metaFormat)
	case m.AccountID != svc.cfg.accountID || m.Region != svc.cfg.region:
		return fmt.Errorf("kds: the data directory belongs to account %s in %s, not to account %s in %s", m.AccountID, m.Region, svc.cfg.accountID, svc.cfg.region)
	case len(m.TokenKey) != 32:
		return fmt.Errorf("kds: the data directory's token key has %d bytes, not 32", len(m.TokenKey))
	}
	svc.tokens = newTokenSealer([32]byte(m.TokenKey))
	svc.lastID = m.LastID
	svc.lastIncarnation.secs, svc.lastIncarnation.used, svc.lastIncarnation.tag = m.Incarnation.Secs, m.Incarnation.Used, m.Incarnation.Tag
	maps.Copy(svc.consumerARNSecs, m.ConsumerARNSecs)
	if state.keys != nil && svc.cfg.keyProvider == nil {
		if err := svc.keys.restore(state.keys); err != nil {
			return fmt.Errorf("kds: the data directory's keys are damaged: %w", err)
		}
	}
	now := svc.clock.Now()
	for _, sm := range state.streams {
		// A damaged stream's ID stays taken too: its files are still there.
		svc.lastID = max(svc.lastID, sm.ID)
		if sm.GoneAt != nil && !now.Before(*sm.GoneAt) {
			svc.store.dropStream(sm.ID)
			continue
		}
		var s *Stream
		err := errors.New("another stream has its name or ID")
		if svc.streams[sm.Name] == nil && svc.byID[sm.ID] == nil {
			s, err = svc.restoreStream(sm, now)
		}
		if err != nil {
			svc.restoreProblems = append(svc.restoreProblems, StorageProblem{
				Kind:   "damaged-metadata",
				Stream: sm.Name,
				Err:    fmt.Sprintf("stream %d (%s): %v", sm.ID, sm.Name, err),
			})
			continue
		}
		svc.streams[s.name] = s
		svc.byID[s.id] = s
	}
	return nil
}

// restoreStream rebuilds a stream from its metadata at now. It checks the
// metadata first, and returns an error, having built nothing, if the
// stream it describes could not work: shard indexes that are not 0 to n-1,
// parents that do not come before their children, open shards that do not
// cover the hash key space exactly once, a pending change that does not
// apply, a policy that does not parse. Then it gives every shard its
// journal from the store; an error there leaves the stream out too.
func (svc *Service) restoreStream(m *streamMeta, now time.Time) (*Stream, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	s := &Stream{
		svc:             svc,
		name:            m.Name,
		arn:             svc.streamARN(m.Name),
		id:              m.ID,
		created:         m.Created,
		readyAt:         m.ReadyAt,
		partitioner:     m.Partitioner,
		incarnationSecs: m.IncarnationSecs,
		incarnationTag:  m.IncarnationTag,
		tags:            maps.Clone(m.Tags),
		scalings:        slices.Clone(m.Scalings),
		modeSwitches:    slices.Clone(m.ModeSwitches),
		keyStarts:       slices.Clone(m.KeyStarts),
		keyStops:        slices.Clone(m.KeyStops),
		limits:          m.Limits,
	}
	if s.tags == nil {
		s.tags = make(map[string]string)
	}
	s.goneAt.Store(copyTime(m.GoneAt))
	s.onDemand.Store(m.Mode == StreamModeOnDemand)
	s.retentionHours.Store(int32(m.RetentionHours))
	s.trimFloorMs.Store(m.TrimFloorMs)
	s.maxRecordKiB.Store(int32(m.MaxRecordKiB))
	metrics, _ := metricSetOf(m.ShardLevelMetrics)
	s.metrics.Store(uint32(metrics))
	if m.EncryptionKeyID != "" {
		s.encryption.Store(&encryption{keyID: m.EncryptionKeyID})
	}
	if err := restorePolicy(&s.policy, s.arn, m.Policy); err != nil {
		return nil, err
	}
	s.demand.restore(m.Demand)
	open, err := s.restoreShards(m.Shards)
	if err != nil {
		return nil, err
	}
	if m.Pending != nil {
		p, err := s.restorePending(m.Pending, len(open))
		if err != nil {
			return nil, fmt.Errorf("pending %s: %w", m.Pending.Kind, err)
		}
		s.pending.Store(p)
	}
	if err := s.restoreConsumers(m.Consumers); err != nil {
		return nil, err
	}
	s.routes.Store(newRouteTable(open))
	s.applyLimitsLocked()
	s.meter = newMeter(now, len(open))
	s.meter.shards(now, len(open), m.RetentionHours)
	s.meter.consumers(now, s.registeredConsumersLocked())
	for _, sh := range s.shards {
		if err := s.attachShard(sh); err != nil {
			return nil, fmt.Errorf("shard %s: %w", sh.id, err)
		}
	}
	return s, nil
}

// check reports the first thing wrong with the stream-wide fields of m;
// restoreStream checks its shards, consumers and pending change as it
// rebuilds them.
func (m *streamMeta) check() error {
	l := m.Limits
	_, metricsOK := metricSetOf(m.ShardLevelMetrics)
	switch {
	case m.Format != metaFormat:
		return fmt.Errorf("format %d, not %d", m.Format, metaFormat)
	case m.ID == 0:
		return errors.New("no ID")
	case !awsarn.IsStreamName(m.Name):
		return fmt.Errorf("invalid name %q", m.Name)
	case m.Partitioner != PartitionerMD5 && m.Partitioner != PartitionerXXHash:
		return fmt.Errorf("unknown partitioner %d", m.Partitioner)
	case m.Mode != StreamModeProvisioned && m.Mode != StreamModeOnDemand:
		return fmt.Errorf("unknown mode %q", m.Mode)
	case m.RetentionHours < MinRetentionPeriodHours || m.RetentionHours > MaxRetentionPeriodHours:
		return fmt.Errorf("retention of %d hours", m.RetentionHours)
	case m.MaxRecordKiB < MinMaxRecordSizeInKiB || m.MaxRecordKiB > MaxMaxRecordSizeInKiB:
		return fmt.Errorf("largest record of %d KiB", m.MaxRecordKiB)
	case l.WriteBytesPerSecond < 0 || l.WriteRecordsPerSecond < 0 || l.ReadBytesPerSecond < 0 || l.ReadCallsPerSecond < 0 || l.Window < 0:
		return fmt.Errorf("negative throughput limits %+v", l)
	case !metricsOK:
		return fmt.Errorf("unknown shard-level metrics %q", m.ShardLevelMetrics)
	case len(m.EncryptionKeyID) > maxKeyIDLength:
		return errors.New("encryption key ID too long")
	case m.Demand.FloorBytesPerSec < 0:
		return errors.New("negative demand floor")
	}
	for _, p := range m.Demand.Peaks {
		if p.BytesPerSec < 0 || p.RecordsPerSec < 0 {
			return errors.New("negative demand peak")
		}
	}
	return nil
}

// metricSetOf returns the set of shard-level metrics names lists, and
// whether every name is known.
func metricSetOf(names []string) (metricSet, bool) {
	var set metricSet
	for _, n := range names {
		m, ok := metricNamed(n)
		if !ok {
			return 0, false
		}
		set |= m
	}
	return set, true
}

// restorePolicy parses a saved resource policy document of the resource
// arn into slot; "" means no policy.
func restorePolicy(slot interface{ Store(*iam.Policy) }, arn, doc string) error {
	if doc == "" {
		return nil
	}
	p, err := iam.Parse(iam.ResourcePolicy, arn, []byte(doc))
	if err != nil {
		return fmt.Errorf("policy of %s: %w", arn, err)
	}
	slot.Store(p)
	return nil
}

// restore gives the tracker the peaks and floor m holds.
func (d *demand) restore(m demandMeta) {
	d.floorBytesPerSec, d.floorUntil = m.FloorBytesPerSec, m.FloorUntil
	for _, p := range m.Peaks {
		d.peaks = append(d.peaks, dayPeak{day: p.Day, bytesPerSec: p.BytesPerSec, recordsPerSec: p.RecordsPerSec})
	}
}

// restoreShards rebuilds the stream's shards and returns the open ones,
// after checking that indexes run from 0, parents precede their
// children, every parent is closed, every closed shard has children, and
// the open shards cover the hash key space exactly once.
func (s *Stream) restoreShards(ms []shardMeta) ([]*shard, error) {
	if len(ms) == 0 {
		return nil, errors.New("no shards")
	}
	s.shards = make([]*shard, len(ms))
	children := make([][]*shard, len(ms))
	for i, m := range ms {
		if m.Index != uint32(i) {
			return nil, fmt.Errorf("shard %d has index %d", i, m.Index)
		}
		start, err1 := ParseHashKey(m.StartingHashKey)
		end, err2 := ParseHashKey(m.EndingHashKey)
		if err := errors.Join(err1, err2); err != nil || end.Less(start) {
			return nil, fmt.Errorf("shard %d has the hash key range %s to %s", i, m.StartingHashKey, m.EndingHashKey)
		}
		sh := newShard(uint32(i), HashKeyRange{StartingHashKey: start, EndingHashKey: end}, m.CreatedAt, s.incarnationSecs, s.incarnationTag)
		if len(m.Parents) > 2 {
			return nil, fmt.Errorf("shard %d has %d parents", i, len(m.Parents))
		}
		for j, p := range m.Parents {
			if p >= uint32(i) || j > 0 && p == m.Parents[0] {
				return nil, fmt.Errorf("shard %d has the parent %d", i, p)
			}
			sh.parents = append(sh.parents, s.shards[p])
			children[p] = append(children[p], sh)
		}
		s.shards[i] = sh
	}
	var open []*shard
	for i, m := range ms {
		sh := s.shards[i]
		switch {
		case m.Closed == nil && len(children[i]) > 0:
			return nil, fmt.Errorf("shard %d is open but has children", i)
		case m.Closed == nil:
			open = append(open, sh)
			continue
		case len(children[i]) == 0:
			return nil, fmt.Errorf("shard %d is closed but has no children", i)
		case m.Closed.End == 0 || m.Closed.End > maxCounter:
			return nil, fmt.Errorf("shard %d ends at counter %d", i, m.Closed.End)
		}
		sh.closure.Store(&shardClosure{
			end:      m.Closed.End,
			ending:   makeSequenceNumber(sh.createdSecs, sh.index, sh.epoch, maxCounter, m.Closed.At.Unix()),
			at:       m.Closed.At,
			children: children[i],
		})
	}
	// Sorted by starting key, the open ranges must follow each other from
	// 0 to MaxHashKey without gaps or overlaps.
	sorted := slices.Clone(open)
	sort.Slice(sorted, func(i, j int) bool {
		return sorted[i].hashRange.StartingHashKey.Less(sorted[j].hashRange.StartingHashKey)
	})
	next, done := HashKey{}, false
	for _, sh := range sorted {
		if done || sh.hashRange.StartingHashKey != next {
			return nil, fmt.Errorf("the open shards do not cover the hash key space once (at shard %s)", sh.id)
		}
		done = sh.hashRange.EndingHashKey == MaxHashKey
		next = sh.hashRange.EndingHashKey.addUint64(1)
	}
	if !done {
		return nil, errors.New("the open shards do not cover the hash key space")
	}
	return open, nil
}

// restorePending rebuilds a pending change of the stream, whose open
// shards number open, after checking that it still applies.
func (s *Stream) restorePending(m *pendingMeta, open int) (*pendingUpdate, error) {
	c := streamChange{kind: m.Kind, shard: m.Shard, adjacent: m.Adjacent, target: m.Target, keyID: m.KeyID}
	openShard := func(i uint32) bool { return int64(i) < int64(len(s.shards)) && s.shards[i].closure.Load() == nil }
	delta := 0
	switch c.kind {
	case changeSplit:
		at, err := ParseHashKey(m.HashKey)
		if err != nil || !openShard(c.shard) || !s.shards[c.shard].hashRange.splitsAt(at) {
			return nil, fmt.Errorf("shard %d cannot split at %q", c.shard, m.HashKey)
		}
		c.at, delta = at, 1
	case changeMerge:
		if !openShard(c.shard) || !openShard(c.adjacent) || !s.shards[c.shard].hashRange.precedes(s.shards[c.adjacent].hashRange) {
			return nil, fmt.Errorf("shards %d and %d cannot merge", c.shard, c.adjacent)
		}
		delta = -1
	case changeScale:
		if c.target < 1 || c.target > MaxShardsPerStreamByUpdate || c.target > 2*open || 2*c.target < open {
			return nil, fmt.Errorf("%d open shards cannot scale to %d", open, c.target)
		}
		delta = c.target - open
	case changeStartEncryption, changeStopEncryption:
		if c.keyID == "" || len(c.keyID) > maxKeyIDLength {
			return nil, errors.New("no valid key ID")
		}
	default:
		return nil, errors.New("unknown kind")
	}
	return &pendingUpdate{due: m.Due, delta: delta, change: c}, nil
}

// restoreConsumers rebuilds the stream's consumers, after checking their
// names and ARNs.
func (s *Stream) restoreConsumers(ms []consumerMeta) error {
	for _, m := range ms {
		arnStream, arnName, ok := parseConsumerARN(m.ARN)
		if !ok || arnStream != s.arn || arnName != m.Name {
			return fmt.Errorf("consumer %q has the ARN %q", m.Name, m.ARN)
		}
		if s.consumers[m.Name] != nil {
			return fmt.Errorf("consumer %q is repeated", m.Name)
		}
		c := &consumer{
			name:    m.Name,
			arn:     m.ARN,
			stream:  s,
			created: m.Created,
			readyAt: m.ReadyAt,
			subs:    map[uint32]*subscription{},
			budgets: map[uint32]*rate.Limiter{},
			tags:    maps.Clone(m.Tags),
		}
		if c.tags == nil {
			c.tags = map[string]string{}
		}
		c.goneAt.Store(copyTime(m.GoneAt))
		if err := restorePolicy(&c.policy, c.arn, m.Policy); err != nil {
			return err
		}
		if s.consumers == nil {
			s.consumers = map[string]*consumer{}
		}
		s.consumers[c.name] = c
	}
	return nil
}
