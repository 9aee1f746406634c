package kds

import (
	"context"
	"iter"
	"sync"
	"time"

	"github.com/kdsgo/kds/internal/coral"
)

// StartingPosition says where a [Service.SubscribeToShard] subscription
// starts, as a ShardIteratorType with its sequence number or timestamp.
type StartingPosition struct {
	Type ShardIteratorType
	// SequenceNumber is required with AT_SEQUENCE_NUMBER and
	// AFTER_SEQUENCE_NUMBER, and not allowed otherwise.
	SequenceNumber string
	// Timestamp is required with AT_TIMESTAMP.
	Timestamp time.Time
}

// SubscribeToShardInput is the input of [Service.SubscribeToShard].
type SubscribeToShardInput struct {
	ConsumerARN      string
	ShardId          string
	StartingPosition StartingPosition
}

// SubscribeToShardEvent is one push of a subscription: the records that
// arrived since the previous event (possibly none), and where to resume.
type SubscribeToShardEvent struct {
	Records []Record
	// ContinuationSequenceNumber is the position after this event's
	// records: subscribe again with AFTER_SEQUENCE_NUMBER and it to carry
	// on where this subscription ended.
	ContinuationSequenceNumber SequenceNumber
	// MillisBehindLatest is how far, in milliseconds, the next unread
	// record is behind the present; 0 means the consumer is caught up.
	MillisBehindLatest int64
	// ChildShards is set in the last event of a closed shard, after its
	// last record.
	ChildShards []ChildShard
}

// SubscribeToShardOutput carries a subscription's events.
type SubscribeToShardOutput struct {
	// EventStream yields the subscription's events as records arrive,
	// and an empty event after each [SubscriptionHeartbeat] without
	// records. It ends after [SubscriptionLifetime], after the last event
	// of a closed shard, or when the caller stops ranging; it ends with an
	// error when the call's context ends, when a newer subscription of the
	// same consumer to the same shard takes over (ResourceInUseException),
	// or when the consumer or stream goes away (ResourceNotFoundException).
	// Range over it once.
	EventStream iter.Seq2[SubscribeToShardEvent, error]
}

// SubscriptionHeartbeat is how often an idle subscription pushes an empty
// event, so the consumer learns its position and lag without records.
const SubscriptionHeartbeat = time.Second

// subscription is a consumer's live push subscription to one shard.
type subscription struct {
	started time.Time
	done    chan struct{}
	once    sync.Once
	err     error // why it ended early; read after done is closed
}

// end stops the subscription with err, once.
func (sub *subscription) end(err error) {
	sub.once.Do(func() {
		sub.err = err
		close(sub.done)
	})
}

// SubscribeToShard starts an enhanced fan-out subscription of an ACTIVE
// consumer to one shard. Its events carry the shard's records from the
// starting position on, read against the consumer's own budget in the shard
// (the stream's per-shard read rate, 2 MiB/s on Kinesis) rather than the
// budget polling readers share. The subscription lasts
// [SubscriptionLifetime] on the Service's clock. The same consumer may
// subscribe to the same shard again only [ResubscribeInterval] after its
// previous call; the new subscription then replaces the old one.
//
// Errors found before any event (bad input, unknown consumer or shard, a
// consumer not ACTIVE, a subscription too soon) are returned here; later
// ones are yielded by the event stream. ctx bounds the whole subscription.
func (svc *Service) SubscribeToShard(ctx context.Context, in SubscribeToShardInput) (SubscribeToShardOutput, error) {
	if !svc.cfg.dataHooked {
		return svc.subscribeToShard(ctx, in)
	}
	return run(svc, ctx, opSubscribeToShard, in, (*Service).subscribeToShard)
}

// subscribeToShard is the body of [Service.SubscribeToShard].
func (svc *Service) subscribeToShard(ctx context.Context, in SubscribeToShardInput) (SubscribeToShardOutput, error) {
	var v violations
	if in.ConsumerARN == "" {
		v.add("null", "consumerARN", coral.MustNotBeNull)
	}
	v.checkConsumerRef("", "", in.ConsumerARN)
	v.checkRequiredShardID(in.ShardId, "shardId")
	v.checkIteratorType(in.StartingPosition.Type, "startingPosition.type")
	if seq := in.StartingPosition.SequenceNumber; seq != "" && !isCanonicalDecimal(seq, 129) {
		v.add(quote(seq), "startingPosition.sequenceNumber", matchPattern(seqNumPattern))
	}
	if err := v.err(); err != nil {
		return SubscribeToShardOutput{}, err
	}
	now := svc.clock.Now()
	c, err := svc.findConsumer("", "", in.ConsumerARN, now)
	if err != nil {
		return SubscribeToShardOutput{}, err
	}
	push, tooSoon, err := c.subscribe(in, now)
	c.observeSubscribe(now, err == nil, tooSoon)
	if err != nil {
		return SubscribeToShardOutput{}, err
	}
	return SubscribeToShardOutput{EventStream: func(yield func(SubscribeToShardEvent, error) bool) {
		push.run(ctx, yield)
	}}, nil
}

// subscribe starts c's subscription to the shard in asks for, replacing
// an older one, and returns its pusher. tooSoon reports a refusal because
// c subscribed to that shard less than [ResubscribeInterval] ago.
func (c *consumer) subscribe(in SubscribeToShardInput, now time.Time) (push *pusher, tooSoon bool, err error) {
	s := c.stream
	if err := c.requireActive(now); err != nil {
		return nil, false, err
	}
	if err := s.requireActiveOrUpdating(now); err != nil {
		return nil, false, err
	}
	sh, err := s.lookupShard(in.ShardId, now)
	if err != nil {
		return nil, false, err
	}
	pos, err := s.iteratorPosition("SubscribeToShard", sh, GetShardIteratorInput{
		ShardIteratorType:      in.StartingPosition.Type,
		StartingSequenceNumber: in.StartingPosition.SequenceNumber,
		Timestamp:              in.StartingPosition.Timestamp,
	}, now)
	if err != nil {
		return nil, false, err
	}
	sub := &subscription{started: now, done: make(chan struct{})}
	s.mu.Lock()
	if st, ok := c.status(now); !ok || st != ConsumerStatusActive {
		s.mu.Unlock() // deregistered since it was looked up
		return nil, false, newError(codeResourceNotFound, "Consumer %s under stream %s under account %s not found.", in.ConsumerARN, s.name, s.svc.cfg.accountID)
	}
	old := c.subs[sh.index]
	if old != nil && now.Sub(old.started) < ResubscribeInterval {
		s.mu.Unlock()
		return nil, true, newError(codeResourceInUse, "Consumer %s under stream %s under account %s subscribed to shard %s less than %d seconds ago.", c.name, s.name, s.svc.cfg.accountID, sh.id, int(ResubscribeInterval/time.Second))
	}
	c.subs[sh.index] = sub
	s.mu.Unlock()
	if old != nil {
		old.end(newError(codeResourceInUse, "A newer subscription of consumer %s to shard %s in stream %s under account %s took over.", c.name, sh.id, s.name, s.svc.cfg.accountID))
	}
	push = &pusher{c: c, sh: sh, sub: sub, next: pos.startCounter(sh.snapshot())}
	return push, false, nil
}

// pusher produces one subscription's events.
type pusher struct {
	c    *consumer
	sh   *shard
	sub  *subscription
	next uint64 // counter of the next record to push
	ran  bool
}

// run yields events until the subscription ends.
func (p *pusher) run(ctx context.Context, yield func(SubscribeToShardEvent, error) bool) {
	if p.ran {
		return
	}
	p.ran = true
	s, sh, clock := p.c.stream, p.sh, p.c.stream.svc.clock
	deadline := p.sub.started.Add(SubscriptionLifetime)
	budget := p.c.consumerBudget(sh)
	var lastSent time.Time
	for {
		select {
		case <-p.sub.done:
			yield(SubscribeToShardEvent{}, p.sub.err)
			return
		default:
		}
		if err := ctx.Err(); err != nil {
			yield(SubscribeToShardEvent{}, err)
			return
		}
		now := clock.Now()
		if !now.Before(deadline) {
			return
		}
		if s.gone(now) {
			yield(SubscribeToShardEvent{}, s.svc.notFound(s.name))
			return
		}
		s.settle(now)
		v := sh.snapshot()
		closure := sh.closure.Load()
		var retry time.Time // when the consumer's budget allows the next read
		var records []Record
		if p.next < v.end() {
			maxBytes := MaxGetRecordsBytes
			if budget != nil {
				if wait := untilTokens(budget, now, 1); wait > 0 {
					retry = now.Add(wait)
				}
				maxBytes = int(min(budget.TokensAt(now), MaxGetRecordsBytes))
			}
			if retry.IsZero() {
				var err error
				records, p.next, err = sh.readInto(nil, v, p.next, MaxGetRecordsLimit, maxBytes, s.cutoffMs(now), reading{ctx, s, now})
				if err != nil {
					yield(SubscribeToShardEvent{}, err)
					return
				}
				charge(budget, now, recordBytes(records))
				s.meter.push(records)
			}
		}
		atEnd := closure != nil && p.next >= closure.end
		if len(records) > 0 || atEnd || lastSent.IsZero() || now.Sub(lastSent) >= SubscriptionHeartbeat {
			ev := SubscribeToShardEvent{Records: records, ContinuationSequenceNumber: p.continuation(v, now)}
			if p.next < v.end() {
				ev.MillisBehindLatest = max(0, now.UnixMilli()-v.arrivalOf(max(p.next, v.oldest())))
			}
			if atEnd {
				ev.ChildShards = closure.childShards()
			}
			p.c.observeEvent(now, sh, ev)
			if !yield(ev, nil) || atEnd {
				return
			}
			lastSent = now
			continue
		}
		p.wait(ctx, now, retry, lastSent.Add(SubscriptionHeartbeat), deadline)
	}
}

// wait blocks until something may have changed for the subscription: a
// put or reshard, the budget's refill (retry, if set), the next heartbeat,
// the end of its lifetime, the stream's deletion, or its end.
func (p *pusher) wait(ctx context.Context, now, retry, heartbeat, deadline time.Time) {
	s, clock := p.c.stream, p.c.stream.svc.clock
	wake := s.arrived.wait()
	if retry.IsZero() && (p.next < p.sh.snapshot().end() || p.sh.closure.Load() != nil) {
		return // a record landed, or the shard closed, while arming
	}
	next := heartbeat
	if deadline.Before(next) {
		next = deadline
	}
	if !retry.IsZero() && retry.Before(next) {
		next = retry
	}
	if g := s.goneAt.Load(); g != nil && g.Before(next) {
		next = *g
	}
	select {
	case <-wake:
	case <-afterTime(clock, next):
	case <-p.sub.done:
	case <-ctx.Done():
	}
}

// continuation returns the sequence number after which the subscription
// carries on: that of the last record pushed, or the shard's starting
// sequence number if nothing precedes the position.
func (p *pusher) continuation(v *logView, now time.Time) SequenceNumber {
	last := p.next - 1
	switch {
	case last == 0:
		return p.sh.starting
	case last >= v.oldest():
		return p.sh.sequenceNumber(last, v.arrivalOf(last))
	}
	// The record was trimmed; its counter is all a position needs.
	return p.sh.sequenceNumber(last, now.UnixMilli())
}
