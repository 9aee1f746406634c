package kds

import (
	"context"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds/iam"
	"github.com/kdsgo/kds/internal/awsarn"
	"github.com/kdsgo/kds/internal/coral"
	"golang.org/x/time/rate"
)

// ConsumerStatus is a registered consumer's lifecycle state.
type ConsumerStatus string

// The consumer states Kinesis reports. A consumer can subscribe only while
// ACTIVE.
const (
	ConsumerStatusCreating ConsumerStatus = "CREATING"
	ConsumerStatusActive   ConsumerStatus = "ACTIVE"
	ConsumerStatusDeleting ConsumerStatus = "DELETING"
)

// Consumer describes an enhanced fan-out consumer registered on a stream.
type Consumer struct {
	ConsumerName string
	// ConsumerARN is the stream's ARN followed by
	// "/consumer/<name>:<creation time in Unix seconds>", so registering
	// a name again after deregistering it gives a different ARN (within
	// the same second, the ARN takes the next second).
	ConsumerARN               string
	ConsumerStatus            ConsumerStatus
	ConsumerCreationTimestamp time.Time
}

// ConsumerDescription is a [Consumer] together with its stream's ARN.
type ConsumerDescription struct {
	ConsumerName              string
	ConsumerARN               string
	ConsumerStatus            ConsumerStatus
	ConsumerCreationTimestamp time.Time
	StreamARN                 string
}

// consumer is a registered consumer. Its status moves on the Service's
// status delay: CREATING until readyAt, then ACTIVE, and once deregistered
// DELETING until goneAt, when it is removed.
type consumer struct {
	name    string
	arn     string
	stream  *Stream
	created time.Time
	readyAt time.Time
	goneAt  atomic.Pointer[time.Time] // nil unless deregistered
	stats   lazyLog                   // SubscribeToShard CloudWatch metrics

	// policy is the consumer's resource policy (see
	// [Service.PutResourcePolicy]); nil if it has none.
	policy atomic.Pointer[iam.Policy]

	// Guarded by the stream's mu.
	subs    map[uint32]*subscription // the live subscription per shard index
	budgets map[uint32]*rate.Limiter // the consumer's own read budget per shard index
	tags    map[string]string        // see [Service.TagResource]
}

// status returns c's state at now, and whether c still exists.
func (c *consumer) status(now time.Time) (ConsumerStatus, bool) {
	g := c.goneAt.Load()
	switch {
	case g != nil && !now.Before(*g):
		return "", false
	case g != nil:
		return ConsumerStatusDeleting, true
	case now.Before(c.readyAt):
		return ConsumerStatusCreating, true
	}
	return ConsumerStatusActive, true
}

// requireActive returns ResourceInUseException unless c is ACTIVE.
func (c *consumer) requireActive(now time.Time) error {
	if st, _ := c.status(now); st != ConsumerStatusActive {
		s := c.stream
		return newError(codeResourceInUse, "Consumer %s under stream %s under account %s is not ACTIVE, instead in state %s.", c.name, s.name, s.svc.cfg.accountID, st)
	}
	return nil
}

func (c *consumer) describe(st ConsumerStatus) Consumer {
	return Consumer{ConsumerName: c.name, ConsumerARN: c.arn, ConsumerStatus: st, ConsumerCreationTimestamp: c.created}
}

// consumerARNPattern is the API model's pattern for a consumer ARN.
const consumerARNPattern = `^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+$`

// parseConsumerARN splits <stream ARN>/consumer/<name>:<seconds>.
func parseConsumerARN(arn string) (streamARN, name string, ok bool) {
	streamARN, rest, found := strings.Cut(arn, "/consumer/")
	if !found {
		return "", "", false
	}
	name, secs, found := strings.Cut(rest, ":")
	if _, _, _, _, sok := awsarn.ParseStream(streamARN); !sok || !found || !awsarn.IsName(name) || !isCanonicalDecimal(secs, 19) {
		return "", "", false
	}
	return streamARN, name, true
}

// checkConsumerRef adds the violations of a consumer reference: a
// ConsumerARN, or a StreamARN and a ConsumerName.
func (v *violations) checkConsumerRef(streamARN, name, arn string) {
	if name != "" {
		v.checkName(name, "consumerName")
	}
	if arn != "" {
		if len(arn) > 2048 {
			v.add(quote(arn), "consumerARN", lengthAtMost(2048))
		}
		if _, _, ok := parseConsumerARN(arn); !ok {
			v.add(quote(arn), "consumerARN", matchPattern(consumerARNPattern))
		}
	}
	if streamARN != "" {
		v.checkStreamRef(streamRef{arn: streamARN})
	}
}

// findConsumer resolves a validated consumer reference at now. Given a
// ConsumerARN (and perhaps the others, which must agree with it), the
// consumer must be the one registered under that ARN, not a later one of
// the same name.
func (svc *Service) findConsumer(streamARN, name, arn string, now time.Time) (*consumer, error) {
	if arn != "" {
		arnStream, arnName, _ := parseConsumerARN(arn)
		if streamARN != "" && streamARN != arnStream || name != "" && name != arnName {
			return nil, newError(codeInvalidArgument, "ConsumerARN %s does not refer to consumer %s of stream %s.", arn, name, streamARN)
		}
		streamARN, name = arnStream, arnName
	}
	if streamARN == "" || name == "" {
		return nil, newError(codeInvalidArgument, "ConsumerARN or both ConsumerName and StreamARN are required for this request.")
	}
	s, err := svc.lookup(streamRef{arn: streamARN}, now)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	c, ok := s.consumers[name]
	s.mu.RUnlock()
	if ok {
		_, ok = c.status(now)
	}
	if !ok || arn != "" && c.arn != arn {
		ref := arn
		if ref == "" {
			ref = name
		}
		return nil, newError(codeResourceNotFound, "Consumer %s under stream %s under account %s not found.", ref, s.name, svc.cfg.accountID)
	}
	return c, nil
}

// RegisterStreamConsumerInput is the input of
// [Service.RegisterStreamConsumer].
type RegisterStreamConsumerInput struct {
	StreamARN    string
	ConsumerName string
	// Tags to attach to the consumer, as for [Service.TagResource]; they
	// go when the consumer is deregistered.
	Tags map[string]string
}

// RegisterStreamConsumerOutput describes the new consumer, CREATING.
type RegisterStreamConsumerOutput struct {
	Consumer Consumer
}

// RegisterStreamConsumer registers an enhanced fan-out consumer on a
// stream: once ACTIVE (after the Service's status delay) it can call
// [Service.SubscribeToShard], with a read budget of its own in every
// shard. A stream has at most [MaxConsumersPerStream] consumers, and an
// account at most [MaxCreatingConsumers] CREATING at once.
func (svc *Service) RegisterStreamConsumer(ctx context.Context, in RegisterStreamConsumerInput) (RegisterStreamConsumerOutput, error) {
	return run(svc, ctx, opRegisterStreamConsumer, in, (*Service).registerStreamConsumer)
}

// registerStreamConsumer is the body of [Service.RegisterStreamConsumer].
func (svc *Service) registerStreamConsumer(ctx context.Context, in RegisterStreamConsumerInput) (RegisterStreamConsumerOutput, error) {
	var v violations
	if in.ConsumerName == "" {
		v.add("null", "consumerName", coral.MustNotBeNull)
	} else {
		v.checkName(in.ConsumerName, "consumerName")
	}
	if in.StreamARN == "" {
		v.add("null", "streamARN", coral.MustNotBeNull)
	}
	if in.Tags != nil {
		v.checkTagsForm(in.Tags)
	}
	s, now, err := svc.resolve(v, streamRef{arn: in.StreamARN})
	if err != nil {
		return RegisterStreamConsumerOutput{}, err
	}
	if in.Tags != nil {
		if err := svc.checkTagsContent(tagOwner{s.name, in.ConsumerName}, in.Tags, nil); err != nil {
			return RegisterStreamConsumerOutput{}, err
		}
	}
	if err := s.requireActiveOrUpdating(now); err != nil {
		return RegisterStreamConsumerOutput{}, err
	}
	// Only registration makes consumers CREATING, so with registrations
	// serialised the account-wide count cannot grow behind our back.
	svc.registerMu.Lock()
	defer svc.registerMu.Unlock()
	creating := 0
	for _, other := range svc.sortedStreams() {
		if other != s {
			creating += other.creatingConsumers(now)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reapConsumersLocked(now)
	creating += s.creatingConsumersLocked(now)
	switch {
	case s.consumers[in.ConsumerName] != nil:
		return RegisterStreamConsumerOutput{}, newError(codeResourceInUse, "Consumer %s under stream %s under account %s already exists.", in.ConsumerName, s.name, svc.cfg.accountID)
	case len(s.consumers) >= MaxConsumersPerStream:
		return RegisterStreamConsumerOutput{}, newError(codeLimitExceeded, "Stream %s under account %s already has %d registered consumers, the most allowed.", s.name, svc.cfg.accountID, MaxConsumersPerStream)
	case creating >= MaxCreatingConsumers:
		return RegisterStreamConsumerOutput{}, newError(codeLimitExceeded, "Account %s already has %d consumers in CREATING state, the most allowed at once.", svc.cfg.accountID, MaxCreatingConsumers)
	}
	// The ARN carries the registration second. A name registered again
	// within the same second (possible with no status delay) gets the
	// next second, so that the old ARN never names the new consumer.
	// Kept per Service, as a stream deleted and created again keeps its
	// ARN.
	arnPrefix := s.arn + "/consumer/" + in.ConsumerName + ":"
	secs := max(now.Unix(), svc.consumerARNSecs[arnPrefix]+1)
	svc.consumerARNSecs[arnPrefix] = secs
	if err := svc.saveServiceLocked(); err != nil {
		return RegisterStreamConsumerOutput{}, err
	}
	c := &consumer{
		name:    in.ConsumerName,
		arn:     arnPrefix + strconv.FormatInt(secs, 10),
		stream:  s,
		created: now.Truncate(time.Second),
		readyAt: now.Add(svc.cfg.delays.Create),
		subs:    map[uint32]*subscription{},
		budgets: map[uint32]*rate.Limiter{},
		tags:    maps.Clone(in.Tags),
	}
	if c.tags == nil {
		c.tags = map[string]string{}
	}
	if s.consumers == nil {
		s.consumers = map[string]*consumer{}
	}
	s.consumers[c.name] = c
	s.meter.consumers(now, s.registeredConsumersLocked())
	if err := s.saveLocked(); err != nil {
		return RegisterStreamConsumerOutput{}, err
	}
	st, _ := c.status(now)
	return RegisterStreamConsumerOutput{Consumer: c.describe(st)}, nil
}

// creatingConsumers counts the stream's consumers that are CREATING at now.
func (s *Stream) creatingConsumers(now time.Time) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.creatingConsumersLocked(now)
}

func (s *Stream) creatingConsumersLocked(now time.Time) int {
	n := 0
	for _, c := range s.consumers {
		if st, _ := c.status(now); st == ConsumerStatusCreating {
			n++
		}
	}
	return n
}

// reapConsumersLocked forgets consumers whose deregistration has
// completed. The caller holds s.mu for writing.
func (s *Stream) reapConsumersLocked(now time.Time) {
	for name, c := range s.consumers {
		if _, ok := c.status(now); !ok {
			delete(s.consumers, name)
		}
	}
}

// registeredConsumersLocked counts the consumers that have not been
// deregistered: those billed consumer-shard hours. The caller holds s.mu.
func (s *Stream) registeredConsumersLocked() int {
	n := 0
	for _, c := range s.consumers {
		if c.goneAt.Load() == nil {
			n++
		}
	}
	return n
}

// liveConsumers returns the stream's consumers that exist at now, sorted
// by name.
func (s *Stream) liveConsumers(now time.Time) []*consumer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]*consumer, 0, len(s.consumers))
	for _, c := range s.consumers {
		if _, ok := c.status(now); ok {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// DeregisterStreamConsumerInput is the input of
// [Service.DeregisterStreamConsumer]: a ConsumerARN, or a StreamARN and a
// ConsumerName (all three if they agree).
type DeregisterStreamConsumerInput struct {
	StreamARN    string
	ConsumerName string
	ConsumerARN  string
}

// DeregisterStreamConsumerOutput is the (empty) output of
// [Service.DeregisterStreamConsumer].
type DeregisterStreamConsumerOutput struct{}

// DeregisterStreamConsumer deregisters an ACTIVE consumer. It is DELETING
// for the Service's status delay and then gone; its subscriptions end at
// once.
func (svc *Service) DeregisterStreamConsumer(ctx context.Context, in DeregisterStreamConsumerInput) (DeregisterStreamConsumerOutput, error) {
	return run(svc, ctx, opDeregisterStreamConsumer, in, (*Service).deregisterStreamConsumer)
}

// deregisterStreamConsumer is the body of [Service.DeregisterStreamConsumer].
func (svc *Service) deregisterStreamConsumer(ctx context.Context, in DeregisterStreamConsumerInput) (DeregisterStreamConsumerOutput, error) {
	var v violations
	v.checkConsumerRef(in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if err := v.err(); err != nil {
		return DeregisterStreamConsumerOutput{}, err
	}
	now := svc.clock.Now()
	c, err := svc.findConsumer(in.StreamARN, in.ConsumerName, in.ConsumerARN, now)
	if err != nil {
		return DeregisterStreamConsumerOutput{}, err
	}
	s := c.stream
	s.mu.Lock()
	if err := c.requireActive(now); err != nil {
		s.mu.Unlock()
		return DeregisterStreamConsumerOutput{}, err
	}
	subs := c.deregisterLocked(now)
	err = s.saveLocked()
	s.mu.Unlock()
	c.endSubscriptions(subs)
	return DeregisterStreamConsumerOutput{}, err
}

// deregisterLocked starts c's deletion at now: it is DELETING for the
// status delay, and its subscriptions, which it returns, must end. The
// caller holds the stream's mu, and ends the subscriptions after
// unlocking it.
func (c *consumer) deregisterLocked(now time.Time) []*subscription {
	s := c.stream
	goneAt := now.Add(s.svc.cfg.delays.Delete)
	c.goneAt.Store(&goneAt)
	if !goneAt.After(now) {
		delete(s.consumers, c.name)
	}
	subs := slices.Collect(maps.Values(c.subs))
	c.subs = map[uint32]*subscription{}
	s.meter.consumers(now, s.registeredConsumersLocked())
	return subs
}

// endSubscriptions ends the subscriptions of a deregistered consumer.
func (c *consumer) endSubscriptions(subs []*subscription) {
	s := c.stream
	for _, sub := range subs {
		sub.end(newError(codeResourceNotFound, "Consumer %s under stream %s under account %s was deregistered.", c.name, s.name, s.svc.cfg.accountID))
	}
}

// deregisterAll deregisters every consumer of the stream, as DeleteStream
// with EnforceConsumerDeletion does. DeleteStream saves the stream's
// metadata after it.
func (s *Stream) deregisterAll(now time.Time) {
	s.mu.Lock()
	var ended []func()
	for _, c := range s.consumers {
		if c.goneAt.Load() == nil {
			subs := c.deregisterLocked(now)
			ended = append(ended, func() { c.endSubscriptions(subs) })
		}
	}
	s.mu.Unlock()
	for _, end := range ended {
		end()
	}
}

// DescribeStreamConsumerInput is the input of
// [Service.DescribeStreamConsumer], addressed like
// [DeregisterStreamConsumerInput].
type DescribeStreamConsumerInput struct {
	StreamARN    string
	ConsumerName string
	ConsumerARN  string
}

// DescribeStreamConsumerOutput describes one consumer.
type DescribeStreamConsumerOutput struct {
	ConsumerDescription ConsumerDescription
}

// DescribeStreamConsumer describes a registered consumer.
func (svc *Service) DescribeStreamConsumer(ctx context.Context, in DescribeStreamConsumerInput) (DescribeStreamConsumerOutput, error) {
	return run(svc, ctx, opDescribeStreamConsumer, in, (*Service).describeStreamConsumer)
}

// describeStreamConsumer is the body of [Service.DescribeStreamConsumer].
func (svc *Service) describeStreamConsumer(ctx context.Context, in DescribeStreamConsumerInput) (DescribeStreamConsumerOutput, error) {
	var v violations
	v.checkConsumerRef(in.StreamARN, in.ConsumerName, in.ConsumerARN)
	if err := v.err(); err != nil {
		return DescribeStreamConsumerOutput{}, err
	}
	now := svc.clock.Now()
	c, err := svc.findConsumer(in.StreamARN, in.ConsumerName, in.ConsumerARN, now)
	if err != nil {
		return DescribeStreamConsumerOutput{}, err
	}
	st, _ := c.status(now)
	d := c.describe(st)
	return DescribeStreamConsumerOutput{ConsumerDescription: ConsumerDescription{
		ConsumerName:              d.ConsumerName,
		ConsumerARN:               d.ConsumerARN,
		ConsumerStatus:            d.ConsumerStatus,
		ConsumerCreationTimestamp: d.ConsumerCreationTimestamp,
		StreamARN:                 c.stream.arn,
	}}, nil
}

// ListStreamConsumersInput is the input of [Service.ListStreamConsumers].
type ListStreamConsumersInput struct {
	// StreamARN is required, also when NextToken is given.
	StreamARN string
	// MaxResults is the most consumers to return, 1 to 10000; 0 means
	// 100. At most [MaxListStreamConsumersResults] are returned.
	MaxResults int
	// NextToken continues a listing that returned one.
	NextToken string
	// StreamCreationTimestamp, if set, must be the stream's creation
	// time: it tells apart incarnations of a reused stream name.
	StreamCreationTimestamp time.Time
}

// ListStreamConsumersOutput is one page of a stream's consumers, by name.
type ListStreamConsumersOutput struct {
	Consumers []Consumer
	NextToken string
}

// ListStreamConsumers lists the consumers registered on a stream, a page
// at a time.
func (svc *Service) ListStreamConsumers(ctx context.Context, in ListStreamConsumersInput) (ListStreamConsumersOutput, error) {
	return run(svc, ctx, opListStreamConsumers, in, (*Service).listStreamConsumers)
}

// listStreamConsumers is the body of [Service.ListStreamConsumers].
func (svc *Service) listStreamConsumers(ctx context.Context, in ListStreamConsumersInput) (ListStreamConsumersOutput, error) {
	var v violations
	v.checkLimit(in.MaxResults, "maxResults", MaxRequestLimit)
	if len(in.NextToken) > 1048576 {
		v.add(quote(in.NextToken), "nextToken", lengthAtMost(1048576))
	}
	if in.StreamARN == "" {
		v.add("null", "streamARN", coral.MustNotBeNull)
	}
	s, now, err := svc.resolve(v, streamRef{arn: in.StreamARN})
	if err != nil {
		return ListStreamConsumersOutput{}, err
	}
	if !in.StreamCreationTimestamp.IsZero() && in.StreamCreationTimestamp.UnixMilli() != s.created.UnixMilli() {
		return ListStreamConsumersOutput{}, newError(codeResourceNotFound, "Stream %s under account %s with creation time %s not found.", s.name, svc.cfg.accountID, javaDate(in.StreamCreationTimestamp))
	}
	after := ""
	if in.NextToken != "" {
		if after, err = svc.openConsumersToken(in.NextToken, s, now); err != nil {
			return ListStreamConsumersOutput{}, err
		}
	}
	page, more := pageAfter(s.liveConsumers(now), func(c *consumer) string { return c.name }, after, pageLimit(in.MaxResults, MaxListStreamConsumersResults, MaxListStreamConsumersResults))
	out := ListStreamConsumersOutput{Consumers: make([]Consumer, len(page))}
	for i, c := range page {
		st, _ := c.status(now)
		out.Consumers[i] = c.describe(st)
	}
	if more {
		out.NextToken = svc.consumersToken(s, page[len(page)-1].name, now)
	}
	return out, nil
}

// consumerBudget returns c's read budget in shard sh, creating it on first
// use: the stream's per-shard read rate (2 MiB/s on Kinesis), for this
// consumer alone. It returns nil when the stream's reads are unlimited.
func (c *consumer) consumerBudget(sh *shard) *rate.Limiter {
	s := c.stream
	s.mu.Lock()
	defer s.mu.Unlock()
	perSecond := s.limits.ReadBytesPerSecond
	if perSecond <= 0 {
		return nil
	}
	lim := c.budgets[sh.index]
	if lim == nil || float64(lim.Limit()) != perSecond {
		lim = s.limits.bucket(perSecond)
		c.budgets[sh.index] = lim
	}
	return lim
}
