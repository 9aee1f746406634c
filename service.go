package kds

import (
	"context"
	"errors"
	"iter"
	"math/rand/v2"
	"sort"
	"sync"
	"time"
)

// Service is one AWS account and region's worth of Kinesis: its streams by
// name and ARN, the account limits, and the [Clock] they all read. It has
// one Go method per Kinesis operation, with Kinesis's input and output
// shapes and errors. A Service is safe for concurrent use.
type Service struct {
	cfg    config
	clock  Clock
	tokens tokenSealer
	keys   *KeyService // the in-process key service
	kp     KeyProvider // where encrypted streams get their data keys
	// keyGen, if kp can tell, counts changes to its keys, so that cached
	// data keys are checked again after one (see dataKeyCache).
	keyGen KeyChangeCounter
	root   string // the ARN of the account's root: the principal of calls without a Caller
	store  store  // where state outlives the process; nil without WithDataDir
	// restoreProblems are the streams whose saved metadata could not be
	// restored when the Service was opened.
	restoreProblems []StorageProblem

	mu      sync.RWMutex
	streams map[string]*Stream // by name, including DELETING ones
	byID    map[uint64]*Stream

	// registerMu serialises CreateStream and RegisterStreamConsumer
	// calls, and DeleteStream's check for consumers. It is taken before
	// svc.mu, and guards what serviceMetaLocked saves: consumerARNSecs,
	// the second in the newest ARN given out for each "<stream
	// ARN>/consumer/<name>:", so that no consumer ARN is ever given out
	// twice; lastID, the newest stream's ID; and lastIncarnation, the
	// (creation second, tag) pair given to the newest stream (see
	// nextIncarnationLocked).
	registerMu      sync.Mutex
	consumerARNSecs map[string]int64
	lastID          uint64
	lastIncarnation struct {
		secs int64
		used int // streams that got secs
		tag  uint8
	}

	closeOnce   sync.Once
	stopJanitor chan struct{} // nil without WithJanitor
	janitorDone chan struct{}
}

// nextIncarnationLocked returns the creation second and tag that a new
// stream's sequence numbers will carry. No two stream incarnations of a
// Service get the same pair, so a sequence number of a deleted stream is
// never accepted by one created later under the same name: the tag counts
// up with every stream, and once 256 streams have used one second the
// encoded second moves ahead of the clock. The caller holds
// svc.registerMu.
func (svc *Service) nextIncarnationLocked(now time.Time) (int64, uint8) {
	last := &svc.lastIncarnation
	if secs := now.Unix(); secs > last.secs {
		last.secs, last.used = secs, 0
	} else if last.used == 256 {
		last.secs, last.used = last.secs+1, 0
	}
	last.used++
	last.tag++
	return last.secs, last.tag
}

// NewService returns a Service: an empty one, or with [WithDataDir] the
// one the directory holds. Options are validated together and every
// problem is reported in one joined error.
func NewService(opts ...Option) (*Service, error) {
	c, err := newConfig(opts)
	if c.shards != 0 {
		err = errors.Join(err, errors.New("kds: WithShards applies to NewStream, not NewService"))
	}
	if err != nil {
		return nil, err
	}
	return newService(c)
}

// newService returns the Service c describes, on the store it names.
func newService(c config) (*Service, error) {
	st, err := openStore(c)
	if err != nil {
		return nil, err
	}
	return newServiceOn(c, st)
}

// newServiceOn returns the Service c describes, restored from st (nil: in
// memory only). If it fails, st is closed.
func newServiceOn(c config, st store) (*Service, error) {
	svc := &Service{
		cfg:     c,
		clock:   c.clock,
		store:   st,
		streams: make(map[string]*Stream),
		byID:    make(map[uint64]*Stream),

		consumerARNSecs: make(map[string]int64),
	}
	svc.keys = newKeyService(c.accountID, c.region, c.clock)
	svc.kp = svc.keys
	if c.keyProvider != nil {
		svc.kp = c.keyProvider
	}
	svc.keyGen, _ = svc.kp.(KeyChangeCounter)
	svc.root = rootARN(svc.partition(), c.accountID)
	if err := svc.load(); err != nil {
		if st != nil {
			err = errors.Join(err, st.close())
		}
		return nil, err
	}
	if c.janitor > 0 {
		svc.stopJanitor, svc.janitorDone = make(chan struct{}), make(chan struct{})
		go svc.janitor(c.janitor, svc.stopJanitor, svc.janitorDone)
	}
	return svc, nil
}

// load restores the Service's state from its store, or starts it afresh
// if the store holds none (or there is no store). What a fresh start makes
// is saved at once: the token key, and the keys of the Service's own
// KeyService, must be the same the next time the directory is opened.
func (svc *Service) load() error {
	var state *storedState
	if svc.store != nil {
		var err error
		if state, err = svc.store.load(); err != nil {
			return err
		}
	}
	if state == nil {
		state = &storedState{}
	}
	if state.service != nil {
		if err := svc.restore(state); err != nil {
			return err
		}
	} else {
		if len(state.streams) > 0 || state.keys != nil {
			return errors.New("kds: the data directory has streams or keys but no service metadata")
		}
		svc.tokens = newTokenSealer(newTokenKey())
		// On the real clock, start the incarnation tags at a random point,
		// so that two Services started in the same second are unlikely to
		// issue sequence numbers that each would take for its own. On a
		// ManualClock everything, sequence numbers included, stays
		// deterministic.
		if _, manual := svc.clock.(*ManualClock); !manual {
			svc.lastIncarnation.tag = uint8(rand.Uint32())
		}
		svc.registerMu.Lock()
		err := svc.saveServiceLocked()
		svc.registerMu.Unlock()
		if err != nil {
			return err
		}
	}
	if svc.store == nil || svc.cfg.keyProvider != nil {
		return nil
	}
	ks := svc.keys
	ks.mu.Lock()
	defer ks.mu.Unlock()
	ks.persist = func(m *keysMeta) error {
		if err := svc.store.saveKeys(m); err != nil {
			return storeError()
		}
		return nil
	}
	if state.keys == nil {
		return ks.persistLocked()
	}
	return nil
}

// saveServiceLocked saves the Service-wide state, if the Service has a
// data directory. The caller holds svc.registerMu.
func (svc *Service) saveServiceLocked() error {
	if svc.store == nil {
		return nil
	}
	if err := svc.store.saveService(svc.serviceMetaLocked()); err != nil {
		return storeError()
	}
	return nil
}

// Clock returns the clock the Service reads.
func (svc *Service) Clock() Clock { return svc.clock }

// Keys returns the Service's in-process key service, with which to create,
// disable or delete the KMS keys its streams are encrypted with. Unless
// [WithKeyProvider] named another provider, it is the one the Service
// uses.
func (svc *Service) Keys() *KeyService { return svc.keys }

// AccountID returns the account ID used in ARNs and messages.
func (svc *Service) AccountID() string { return svc.cfg.accountID }

// Region returns the region used in ARNs and messages.
func (svc *Service) Region() string { return svc.cfg.region }

// streamARN returns the ARN of the stream with the given name.
func (svc *Service) streamARN(name string) string {
	return "arn:" + svc.partition() + ":kinesis:" + svc.cfg.region + ":" + svc.cfg.accountID + ":stream/" + name
}

// Stream returns the stream with the given name, if it exists.
func (svc *Service) Stream(name string) (*Stream, bool) {
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	s, ok := svc.streams[name]
	if !ok || s.gone(svc.clock.Now()) {
		return nil, false
	}
	return s, true
}

// Streams returns the Service's streams in name order.
func (svc *Service) Streams() iter.Seq[*Stream] {
	return func(yield func(*Stream) bool) {
		for _, s := range svc.sortedStreams() {
			if !yield(s) {
				return
			}
		}
	}
}

// sortedStreams returns the streams that still exist, by name.
func (svc *Service) sortedStreams() []*Stream {
	now := svc.clock.Now()
	svc.mu.RLock()
	list := make([]*Stream, 0, len(svc.streams))
	for _, s := range svc.streams {
		if !s.gone(now) {
			list = append(list, s)
		}
	}
	svc.mu.RUnlock()
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	return list
}

// streamByID returns the stream incarnation with the given ID, unless its
// deletion has completed, with any due reshard applied.
func (svc *Service) streamByID(id uint64, now time.Time) (*Stream, bool) {
	svc.mu.RLock()
	s := svc.byID[id]
	svc.mu.RUnlock()
	if s == nil || s.gone(now) {
		return nil, false
	}
	s.settle(now)
	return s, true
}

// notFound is the error for a stream that does not exist.
func (svc *Service) notFound(name string) error {
	return newError(codeResourceNotFound, "Stream %s under account %s not found.", name, svc.cfg.accountID)
}

// reapLocked forgets streams whose deletion has completed, and has the
// store, if any, remove their files. The caller holds svc.mu for writing.
func (svc *Service) reapLocked(now time.Time) {
	for name, s := range svc.streams {
		if s.gone(now) {
			delete(svc.streams, name)
			delete(svc.byID, s.id)
			if svc.store != nil {
				svc.store.dropStream(s.id)
			}
		}
	}
}

// openShardCountLocked returns the open shards of every stream, for the
// account shard quota. The caller holds svc.mu.
func (svc *Service) openShardCountLocked(now time.Time) int {
	n := 0
	for _, s := range svc.streams {
		if !s.gone(now) {
			n += s.quotaShardCount()
		}
	}
	return n
}

// DescribeLimitsInput is the input of [Service.DescribeLimits]; it has no
// fields.
type DescribeLimitsInput struct{}

// DescribeLimitsOutput reports the account's shard and on-demand quotas and
// how much of them is in use.
type DescribeLimitsOutput struct {
	ShardLimit               int
	OpenShardCount           int
	OnDemandStreamCount      int
	OnDemandStreamCountLimit int
}

// DescribeLimits returns the account's shard quota, the open shards across
// all streams, and the on-demand stream count and quota.
func (svc *Service) DescribeLimits(ctx context.Context, in DescribeLimitsInput) (DescribeLimitsOutput, error) {
	return run(svc, ctx, opDescribeLimits, in, (*Service).describeLimits)
}

// describeLimits is the body of [Service.DescribeLimits].
func (svc *Service) describeLimits(ctx context.Context, _ DescribeLimitsInput) (DescribeLimitsOutput, error) {
	now := svc.clock.Now()
	for _, s := range svc.sortedStreams() {
		s.settle(now)
	}
	svc.mu.RLock()
	defer svc.mu.RUnlock()
	out := DescribeLimitsOutput{
		ShardLimit:               svc.cfg.shardLimit,
		OpenShardCount:           svc.openShardCountLocked(now),
		OnDemandStreamCountLimit: svc.cfg.onDemandCap,
	}
	for _, s := range svc.streams {
		if !s.gone(now) && s.streamMode() == StreamModeOnDemand {
			out.OnDemandStreamCount++
		}
	}
	return out, nil
}
