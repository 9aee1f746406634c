package analytics

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds"
)

// Windows aggregates records per key in event-time windows and emits a
// result for each key and window when the watermark passes the window's
// end; see the package doc for the exact rules. Records come from
// [Windows.Add] or, through a consumer group, from [Windows.Run]. It is
// safe for concurrent use.
type Windows[A, R any] struct {
	agg  Aggregator[A, R]
	win  Windowing
	sink Sink[R]
	cfg  config

	// mu guards the fields below. The key and event time functions run
	// before it is taken, the aggregator's under it, the sink and the
	// handlers after it is released (see deliver).
	mu     sync.Mutex
	wm     watermark
	input  *source            // Add's, once Add is first called
	shards map[string]*source // Run's, by shard ID
	keys   map[string][]*state[A]
	timers timers[A]
	queue  []event[R]
	stats  Stats

	// emitMu orders the deliveries: it is taken before mu is released,
	// so events reach the sink in the order they were queued.
	emitMu sync.Mutex

	ran atomic.Bool
}

// event is something to hand to the sink or a handler once mu is
// released: a result, a late record or an error.
type event[R any] struct {
	out  *Output[R]
	late *kds.Record
	err  error
}

// New returns a Windows that aggregates with agg in the windows of
// windowing and emits the results to sink, or every reason the arguments
// and options are invalid.
func New[A, R any](agg Aggregator[A, R], windowing Windowing, sink Sink[R], opts ...Option) (*Windows[A, R], error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			cfg.errs = append(cfg.errs, errors.New("analytics: nil Option"))
			continue
		}
		o.apply(&cfg)
	}
	errs := append(cfg.errs, windowing.validate(), agg.validate(windowing))
	if sink == nil {
		errs = append(errs, errors.New("analytics: no sink"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Windows[A, R]{
		agg:    agg,
		win:    windowing,
		sink:   sink,
		cfg:    cfg,
		wm:     watermark{bound: cfg.bound, idle: cfg.idle, sources: map[*source]bool{}},
		shards: map[string]*source{},
		keys:   map[string][]*state[A]{},
		timers: timers[A]{lateness: cfg.lateness},
	}, nil
}

// prepared is what the user's key and event time functions said of a
// record.
type prepared struct {
	rec kds.Record
	key string
	at  time.Time
	err error
}

// prepare reads rec's key and event time.
func (w *Windows[A, R]) prepare(rec kds.Record) prepared {
	at, err := w.cfg.eventTime(rec)
	if err == nil {
		if at.Before(time.Unix(0, -maxEventNanos)) || at.After(time.Unix(0, maxEventNanos)) {
			err = fmt.Errorf("event time %v is outside the years 1824 to 2116", at)
		}
	}
	if err != nil {
		return prepared{rec: rec, err: err}
	}
	return prepared{rec: rec, key: w.cfg.key(rec), at: at}
}

// Add adds one record, which may fire windows (results of the windows
// the record's time pushes the watermark past, and an update if the
// record is late but within the allowed lateness), hand it to the late
// handler or fail; the sink and the handlers are called before Add
// returns. The records given to Add form one input of the watermark (see
// the package doc), beside the shards of [Windows.Run] if it runs too.
func (w *Windows[A, R]) Add(ctx context.Context, rec kds.Record) {
	p := w.prepare(rec)
	w.mu.Lock()
	if w.input == nil {
		w.input = &source{name: "Add", active: w.cfg.clock.Now()}
		w.wm.sources[w.input] = true
	}
	w.addLocked(w.input, p)
	w.deliver(ctx)
}

// addBatch adds records delivered together from src.
func (w *Windows[A, R]) addBatch(ctx context.Context, src *source, recs []kds.Record) {
	ps := make([]prepared, len(recs))
	for i, rec := range recs {
		ps[i] = w.prepare(rec)
	}
	w.mu.Lock()
	for _, p := range ps {
		w.addLocked(src, p)
	}
	w.deliver(ctx)
}

// Tick re-reads the Clock: inputs idle for the idle timeout move the
// watermark on, which may fire windows and purge them. [Windows.Run]
// calls it every tick interval; a program using Add calls it itself.
func (w *Windows[A, R]) Tick(ctx context.Context) {
	w.mu.Lock()
	if w.wm.advance(w.cfg.clock.Now()) {
		w.fireLocked()
	}
	w.deliver(ctx)
}

// Close ends the input: the watermark moves past every window, so every
// open window fires and all state is dropped, and later records are too
// late. It then flushes the sink and returns its error. Use it at the end
// of a bounded input; [Windows.Run] does not call it, because its open
// windows are rebuilt after a restart (see the package doc).
func (w *Windows[A, R]) Close(ctx context.Context) error {
	w.mu.Lock()
	w.wm.endOfTime()
	w.fireLocked()
	w.deliver(ctx)
	return w.flush(ctx)
}

// Watermark returns the current watermark; ok is false until it has a
// value (no input has had a record yet).
func (w *Windows[A, R]) Watermark() (at time.Time, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.wm.at, w.wm.set
}

// Stats returns the counters so far.
func (w *Windows[A, R]) Stats() Stats {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.stats
	s.Open = w.timers.Len()
	return s
}

// addLocked adds one prepared record from src, then moves the watermark
// and fires what it passes.
func (w *Windows[A, R]) addLocked(src *source, p prepared) {
	w.stats.Records++
	idx := int64(-1)
	if src.track != nil {
		idx = src.track.add(p.rec)
	}
	now := w.cfg.clock.Now()
	src.active = now
	if p.err != nil {
		w.failLocked(p.rec, p.err)
		return
	}
	var err error
	late := false
	if w.win.kind == session {
		late, err = w.addSessionLocked(src, idx, p)
	} else {
		late, err = w.addFixedLocked(src, idx, p)
	}
	switch {
	case err != nil:
		w.failLocked(p.rec, err)
	case late:
		w.stats.Late++
		w.queue = append(w.queue, event[R]{late: &p.rec})
	}
	w.wm.observe(src, p.at, now)
	if w.wm.advance(now) {
		w.fireLocked()
	}
}

func (w *Windows[A, R]) failLocked(rec kds.Record, err error) {
	w.stats.Failed++
	w.queue = append(w.queue, event[R]{err: &RecordError{Record: rec, Err: err}})
}

// tooLate reports whether a window ending at end has been purged (or
// would be at once): the watermark has reached end plus the allowed
// lateness.
func (w *Windows[A, R]) tooLate(end time.Time) bool {
	return w.wm.reached(end.Add(w.cfg.lateness))
}

// addFixedLocked adds a record to its tumbling or sliding windows that
// are not too late; late reports that all of them were. If the aggregate
// fails for one window, the record is added to none.
func (w *Windows[A, R]) addFixedLocked(src *source, idx int64, p prepared) (late bool, err error) {
	type target struct {
		st  *state[A] // nil for a window with no state yet
		win Window
		acc A
	}
	states := w.keys[p.key]
	var targets []target
	for _, win := range w.win.assign(p.at) {
		if w.tooLate(win.End) {
			continue
		}
		t := target{win: win}
		if i := slices.IndexFunc(states, func(s *state[A]) bool { return s.win.Start.Equal(win.Start) }); i >= 0 {
			t.st, t.acc = states[i], states[i].acc
		} else {
			t.acc = w.agg.Zero()
		}
		if t.acc, err = w.agg.Add(t.acc, p.rec); err != nil {
			return false, err
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return true, nil
	}
	for _, t := range targets {
		st := t.st
		if st == nil {
			st = w.newStateLocked(p.key, t.win)
		}
		st.acc = t.acc
		st.note(src, idx)
		if st.fired {
			w.emitLocked(st)
		}
	}
	return false, nil
}

// addSessionLocked adds a record to its key's sessions: it opens one, or
// joins (and merges) every session it is within the gap of.
func (w *Windows[A, R]) addSessionLocked(src *source, idx int64, p prepared) (late bool, err error) {
	proto := Window{Start: p.at, End: p.at.Add(w.win.gap)}
	var joined []*state[A]
	cover := proto
	for _, st := range w.keys[p.key] {
		if st.win.intersects(proto) {
			joined = append(joined, st)
			cover = cover.cover(st.win)
		}
	}
	if len(joined) == 0 && w.tooLate(proto.End) {
		return true, nil
	}
	acc, err := w.agg.Add(w.agg.Zero(), p.rec)
	if err != nil {
		return false, err
	}
	if len(joined) == 0 {
		st := w.newStateLocked(p.key, proto)
		st.acc = acc
		st.note(src, idx)
		if st.fired {
			w.emitLocked(st)
		}
		return false, nil
	}
	// Fold the accumulators in start order, the new record's among them;
	// the earliest joined session keeps the result.
	slices.SortFunc(joined, func(a, b *state[A]) int { return a.win.Start.Compare(b.win.Start) })
	into := joined[0]
	if proto.Start.Before(into.win.Start) {
		into.acc = w.agg.Merge(acc, into.acc)
	} else {
		into.acc = w.agg.Merge(into.acc, acc)
	}
	for _, st := range joined[1:] {
		into.acc = w.agg.Merge(into.acc, st.acc)
		into.emitted = into.emitted || st.emitted
		for s, sp := range st.spans {
			into.widen(s, sp)
		}
		w.dropLocked(st)
	}
	into.note(src, idx)
	into.win = cover
	into.fired = w.wm.reached(cover.End)
	w.timers.fix(into)
	if into.fired {
		w.emitLocked(into)
	}
	return false, nil
}

// newStateLocked adds the state of a key and window, fired at once if
// the watermark has passed its end.
func (w *Windows[A, R]) newStateLocked(key string, win Window) *state[A] {
	st := &state[A]{win: win, key: key, fired: w.wm.reached(win.End)}
	w.keys[key] = append(w.keys[key], st)
	w.timers.add(st)
	return st
}

// note records that the record at index idx of src is in the state.
func (st *state[A]) note(src *source, idx int64) {
	if src.track != nil {
		st.widen(src, span{first: idx, last: idx})
	}
}

// widen extends the state's span of src's records.
func (st *state[A]) widen(src *source, sp span) {
	if st.spans == nil {
		st.spans = map[*source]span{}
	}
	if old, ok := st.spans[src]; ok {
		sp = old.widen(sp)
	}
	st.spans[src] = sp
}

// emitLocked queues the state's result.
func (w *Windows[A, R]) emitLocked(st *state[A]) {
	out := &Output[R]{Window: Window{Start: st.win.Start.UTC(), End: st.win.End.UTC()}, Key: st.key, Result: w.agg.Result(st.acc), Update: st.emitted}
	st.emitted = true
	w.stats.Results++
	if out.Update {
		w.stats.Updates++
	}
	w.queue = append(w.queue, event[R]{out: out})
}

// fireLocked fires the states whose end the watermark has reached and
// purges those whose allowed lateness has passed, in deadline order.
func (w *Windows[A, R]) fireLocked() {
	for {
		st, ok := w.timers.due(&w.wm)
		if !ok {
			return
		}
		if !st.fired {
			st.fired = true
			w.emitLocked(st)
			w.timers.fix(st)
			continue
		}
		w.dropLocked(st)
		for src, sp := range st.spans {
			if src.track != nil {
				src.track.purged = append(src.track.purged, sp)
			}
		}
	}
}

// dropLocked removes a state (purged, or merged into another session).
func (w *Windows[A, R]) dropLocked(st *state[A]) {
	w.timers.remove(st)
	states := slices.DeleteFunc(w.keys[st.key], func(s *state[A]) bool { return s == st })
	if len(states) == 0 {
		delete(w.keys, st.key)
	} else {
		w.keys[st.key] = states
	}
}

// deliver hands the queued events to the sink and the handlers. It is
// called with mu held and releases it, taking emitMu first so that
// deliveries keep their order.
func (w *Windows[A, R]) deliver(ctx context.Context) {
	q := w.queue
	w.queue = nil
	w.emitMu.Lock()
	w.mu.Unlock()
	defer w.emitMu.Unlock()
	for _, e := range q {
		switch {
		case e.out != nil:
			if err := w.sink.Emit(ctx, *e.out); err != nil {
				w.cfg.onError(fmt.Errorf("analytics: emit key %q window %s: %w", e.out.Key, e.out.Window, err))
			}
		case e.late != nil:
			w.cfg.onLate(*e.late)
		default:
			w.cfg.onError(e.err)
		}
	}
}

// flush flushes the sink, after every queued event has been delivered.
func (w *Windows[A, R]) flush(ctx context.Context) error {
	w.emitMu.Lock()
	defer w.emitMu.Unlock()
	return w.sink.Flush(ctx)
}
