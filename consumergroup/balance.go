package consumergroup

import (
	"context"
	"maps"
	"slices"
	"time"
)

// observation is what a worker has seen of one lease's counter: its value
// and when the worker first saw it. A lease whose counter has not moved
// for LeaseDuration, by the observing worker's own clock, has expired:
// its owner has stopped renewing it. Workers compare only their own
// observations, so their clocks need not agree.
type observation struct {
	counter int64
	since   time.Time
}

// observe records the counters of leases as seen at now.
func (w *Worker) observe(leases []Lease, now time.Time) {
	for _, l := range leases {
		if o, ok := w.seen[l.Key]; !ok || o.counter != l.Counter {
			w.seen[l.Key] = observation{counter: l.Counter, since: now}
		}
	}
}

// expired reports whether l has an owner that has stopped renewing it.
func (w *Worker) expired(l Lease, now time.Time) bool {
	return l.Owner != "" && now.Sub(w.seen[l.Key].since) >= w.cfg.LeaseDuration
}

// parentsDone reports whether every parent of l has been processed to its
// end: its lease is at SHARD_END, or it has no lease and the stream no
// longer lists it (its records have left the retention window).
func (w *Worker) parentsDone(l Lease, byKey map[string]Lease) bool {
	for _, p := range l.ParentShardIDs {
		if pl, ok := byKey[p]; ok {
			if !pl.finished() {
				return false
			}
		} else if w.listed[p] {
			return false
		}
	}
	return true
}

// balance is one round of KCL's lease taking. Of the leases ready to
// process (not finished, parents finished), each worker's fair share is
// ceil(ready / workers), where the workers are this one and the owners of
// unexpired leases. Below its share, the worker takes unowned and expired
// leases; if there are none, it steals one lease from the most loaded
// worker, if that one holds more than the share (or exactly the share
// while this worker lacks two or more).
func (w *Worker) balance(ctx context.Context) {
	leases, err := w.cfg.Store.ListLeases(ctx, w.cfg.ApplicationName)
	if err != nil {
		return // tried again next round
	}
	now := w.cfg.Clock.Now()
	w.observe(leases, now)
	byKey := make(map[string]Lease, len(leases))
	for _, l := range leases {
		byKey[l.Key] = l
	}
	held := w.holding()
	busy := w.busy()
	me := w.cfg.WorkerID
	counts := map[string]int{me: 0}
	var ready, free []Lease
	for _, l := range leases {
		if l.finished() || !w.parentsDone(l, byKey) {
			continue
		}
		ready = append(ready, l)
		switch {
		case held[l.Key] != nil:
			counts[me]++
		case busy[l.Key]:
			// A lease this worker lost whose Processor has not finished
			// yet: taking it back now would run two at once.
		case l.Owner == "" || l.Owner == me || w.expired(l, now):
			free = append(free, l)
		default:
			counts[l.Owner]++
		}
	}
	target := (len(ready) + len(counts) - 1) / len(counts)
	needed := target - counts[me]
	if needed <= 0 {
		return
	}
	if len(free) > 0 {
		for _, l := range free[:min(needed, len(free))] {
			w.take(ctx, l)
		}
		return
	}
	victim, most := "", 0
	for _, owner := range slices.Sorted(maps.Keys(counts)) {
		if owner != me && counts[owner] > most {
			victim, most = owner, counts[owner]
		}
	}
	if most > target || most == target && needed > 1 {
		for _, l := range ready {
			if l.Owner == victim && !w.expired(l, now) {
				w.take(ctx, l)
				return
			}
		}
	}
}

// take claims l for this worker, if nobody changed it since it was read,
// and starts processing it.
func (w *Worker) take(ctx context.Context, l Lease) {
	next := l.clone()
	next.Owner = w.cfg.WorkerID
	stored, err := w.cfg.Store.UpdateLease(ctx, w.cfg.ApplicationName, next)
	if err != nil {
		return // someone was faster, or the store failed: next round
	}
	w.start(ctx, stored)
}
