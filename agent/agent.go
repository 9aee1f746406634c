package agent

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/kdsgo/kds"
)

// ErrClosed is returned by [Agent.Poll] and [Agent.Run] after
// [Agent.Close].
var ErrClosed = errors.New("agent: closed")

// Agent tails the files of one flow and sends their records to a [Sink].
// Drive it with [Agent.Run], or call [Agent.Poll] yourself; finish with
// [Agent.Close]. Its methods are safe for concurrent use; polls run one at
// a time.
type Agent struct {
	cfg   Config
	convs []converter
	start *regexp.Regexp
	clock kds.Clock
	// openFile opens a file to tail: os.Open, or a stand-in in tests.
	openFile func(string) (*os.File, error)

	pollMu         sync.Mutex // serialises Poll and Close; guards the fields below up to mu
	files          []*tracked
	saved          map[fileID]fileCheckpoint // loaded checkpoints not yet matched to an opened file
	restarted      bool                      // a checkpoint file existed at start
	polled         bool                      // the first poll is done
	lastCheckpoint time.Time
	closed         bool

	mu       sync.Mutex // guards queues and entries, retries, inflight, stats, dirty
	retries  []*entry
	inflight int
	stats    Stats
	dirty    bool // committed offsets changed since the last checkpoint write
}

// Stats counts what an [Agent] has done since [New].
type Stats struct {
	// Files is how many files the agent tracks now.
	Files int
	// BytesRead is how many bytes it read from files.
	BytesRead int64
	// Records is how many records it handed to the sink (retries not
	// counted); Confirmed how many of those the sink stored.
	Records, Confirmed int64
	// Failures is how many sends failed (each was retried).
	Failures int64
	// Dropped is how many records a conversion dropped (LOGTOJSON lines
	// that do not match); Truncated how many were cut to MaxRecordBytes.
	Dropped, Truncated int64
	// SkippedBytes is how many bytes were not sent: header lines and the
	// rest of over-long records.
	SkippedBytes int64
	// Gone is how many files stopped matching the pattern (renamed away or
	// deleted); Truncations how many were truncated in place; Copies how
	// many new files were taken for copies of a tailed file (copy-truncate
	// rotation).
	Gone, Truncations, Copies int64
	// Checkpoints is how many times the checkpoint file was written.
	Checkpoints int64
}

// New returns an agent for cfg, or every reason cfg is invalid. It reads
// the checkpoint file, if there is one, but opens no other file until the
// first poll.
func New(cfg Config) (*Agent, error) {
	cfg, convs, start, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	a := &Agent{cfg: cfg, convs: convs, start: start, clock: cfg.Clock, openFile: os.Open}
	if cfg.CheckpointFile != "" {
		a.saved, a.restarted, err = loadCheckpoints(cfg.CheckpointFile)
		if err != nil {
			return nil, err
		}
	}
	return a, nil
}

// Stats returns the agent's counters.
func (a *Agent) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// Run polls every PollInterval until ctx ends, then closes the agent (see
// [Agent.Close]) with a context that is not cancelled, so the sink's Flush
// decides how long shutting down takes. Problems of single polls go to
// Config.OnError and do not stop it. It returns Close's error, or
// [ErrClosed] if the agent was closed already.
func (a *Agent) Run(ctx context.Context) error {
	for {
		if err := a.Poll(ctx); errors.Is(err, ErrClosed) {
			return err
		} else if err != nil {
			a.report(err)
		}
		select {
		case <-ctx.Done():
			return a.Close(context.WithoutCancel(ctx))
		case <-a.clock.After(a.cfg.PollInterval):
		}
	}
}

// Poll does one round of tailing: it resends failed records that are due,
// matches the file pattern, follows renames and truncations, reads what
// is new, sends the complete records (and the incomplete ones that have
// waited IncompleteRecordTimeout), and writes the checkpoint file if it
// is due. It returns the problems it met (unreadable files, a checkpoint
// it could not write) joined, after working around them, or [ErrClosed].
func (a *Agent) Poll(ctx context.Context) error {
	a.pollMu.Lock()
	defer a.pollMu.Unlock()
	if a.closed {
		return ErrClosed
	}
	now := a.clock.Now()
	a.resendDue(ctx, now)
	errs := a.scan(ctx, now)
	for _, t := range a.files {
		if t.copyOf == nil && t.f != nil {
			if err := a.read(ctx, t, now); err != nil {
				errs = append(errs, err)
			}
		}
	}
	a.reap()
	a.polled = true
	a.pruneSaved()
	if a.cfg.CheckpointFile != "" && now.Sub(a.lastCheckpoint) >= a.cfg.CheckpointInterval {
		a.mu.Lock()
		dirty := a.dirty
		a.mu.Unlock()
		if dirty || a.lastCheckpoint.IsZero() {
			if err := a.checkpoint(); err != nil {
				errs = append(errs, err)
			}
			a.lastCheckpoint = now
		}
	}
	return errors.Join(errs...)
}

// Close flushes the sink, writes the checkpoint file and closes the files.
// Records not confirmed by then (the sink's Flush gave up, or they wait to
// be retried) are not in the checkpoint, so a new agent sends them again.
// Close is idempotent; later calls return nil.
func (a *Agent) Close(ctx context.Context) error {
	a.pollMu.Lock()
	defer a.pollMu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	err := a.cfg.Sink.Flush(ctx)
	if err != nil {
		err = fmt.Errorf("agent: flushing sink: %w", err)
	}
	if a.cfg.CheckpointFile != "" {
		err = errors.Join(err, a.checkpoint())
	}
	a.closeFiles()
	return err
}

// closeFiles closes every file handle, without a checkpoint.
func (a *Agent) closeFiles() {
	for _, t := range a.files {
		if t.f != nil {
			t.f.Close()
			t.f = nil
		}
	}
}

// pruneSaved forgets the loaded checkpoints whose file is no longer where
// it was: it cannot turn up again under a followed name. The others (a
// file that could not be opened, say) wait for a later poll to open it.
func (a *Agent) pruneSaved() {
	for id, cp := range a.saved {
		if fi, err := os.Stat(cp.Path); err != nil && errors.Is(err, os.ErrNotExist) || err == nil && idOf(fi, cp.Path) != id {
			delete(a.saved, id)
		}
	}
}

// checkpoint writes the committed offset of every file that is not a
// parked copy, and keeps the loaded checkpoints still waiting for their
// file.
func (a *Agent) checkpoint() error {
	a.mu.Lock()
	cps := make([]fileCheckpoint, 0, len(a.files)+len(a.saved))
	for _, cp := range a.saved {
		cps = append(cps, cp)
	}
	for _, t := range a.files {
		if t.copyOf != nil {
			continue
		}
		cps = append(cps, fileCheckpoint{
			Path:           t.path,
			ID:             t.id,
			FingerprintLen: t.fp.n,
			Fingerprint:    hex.EncodeToString(t.fp.sum[:]),
			Offset:         t.q.committed,
			State:          t.q.state,
		})
	}
	a.dirty = false
	a.stats.Checkpoints++
	a.mu.Unlock()
	err := saveCheckpoints(a.cfg.CheckpointFile, cps)
	if err != nil {
		a.mu.Lock()
		a.dirty = true
		a.mu.Unlock()
	}
	return err
}

// report passes err to Config.OnError.
func (a *Agent) report(err error) {
	if a.cfg.OnError != nil {
		a.cfg.OnError(err)
	}
}

// queue holds the records of one file that are not yet confirmed, in file
// order, and the offset up to which all are.
type queue struct {
	entries   []*entry
	committed int64      // every record before this offset is stored
	state     splitState // the splitter's state at committed
}

// entry is one record on its way, or a piece of a file that needs no
// sending (done from the start).
type entry struct {
	q     *queue
	path  string
	end   int64      // the file offset just after the record
	after splitState // the splitter's state at end
	key   string
	data  []byte
	size  int // len(data) while in flight

	done    bool // stored (or never to be sent)
	pending bool // handed to the sink, its done call not yet in
	attempt int  // sends so far
	retryAt time.Time
}

// advanceLocked moves q's committed offset past its leading done entries.
func (q *queue) advanceLocked() {
	i := 0
	for i < len(q.entries) && q.entries[i].done {
		q.committed, q.state = q.entries[i].end, q.entries[i].after
		q.entries[i] = nil
		i++
	}
	q.entries = q.entries[i:]
}

// skip records that the piece of t ending at end needs no sending.
func (a *Agent) skip(t *tracked, end int64, after splitState) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(t.q.entries) == 0 {
		t.q.committed, t.q.state = end, after
	} else {
		t.q.entries = append(t.q.entries, &entry{q: t.q, end: end, after: after, done: true})
	}
	a.dirty = true
}

// emit converts the record raw of t, ending at end, and sends it.
func (a *Agent) emit(ctx context.Context, t *tracked, raw []byte, end int64, after splitState) {
	data := raw
	for _, conv := range a.convs {
		out, keep := conv(data)
		if !keep {
			a.mu.Lock()
			a.stats.Dropped++
			a.mu.Unlock()
			a.skip(t, end, after)
			return
		}
		data = out
	}
	if len(a.convs) == 0 {
		data = append([]byte(nil), raw...)
	}
	key := a.partitionKey(data)
	truncated := false
	if limit := a.cfg.MaxRecordBytes - len(key); len(data) > limit {
		term := a.cfg.TruncatedRecordTerminator
		data = append(data[:limit-len(term)], term...)
		truncated = true
	}
	e := &entry{q: t.q, path: t.path, end: end, after: after, key: key, data: data, size: len(data)}
	a.mu.Lock()
	t.q.entries = append(t.q.entries, e)
	a.inflight += e.size
	a.stats.Records++
	if truncated {
		a.stats.Truncated++
	}
	a.mu.Unlock()
	a.send(ctx, e)
}

// partitionKey chooses the key of a record with data.
func (a *Agent) partitionKey(data []byte) string {
	if a.cfg.PartitionKey != "" {
		return a.cfg.PartitionKey
	}
	if a.cfg.PartitionKeyFunc != nil {
		if k := a.cfg.PartitionKeyFunc(data); k != "" {
			return k
		}
	} else if a.cfg.PartitionKeyOption == Deterministic {
		sum := md5.Sum(data)
		return hex.EncodeToString(sum[:])
	}
	return strconv.FormatFloat(rand.Float64()*1e6, 'f', -1, 64)
}

// send hands e to the sink.
func (a *Agent) send(ctx context.Context, e *entry) {
	a.mu.Lock()
	e.attempt++
	e.pending = true
	attempt := e.attempt
	a.mu.Unlock()
	err := a.cfg.Sink.Send(ctx, e.key, e.data, func(err error) { a.finish(e, attempt, err) })
	if err != nil {
		a.finish(e, attempt, fmt.Errorf("not accepted: %w", err))
	}
}

// finish takes the outcome of send attempt of e: a stored record moves
// its file's committed offset on; a failed one is retried after a
// backoff.
func (a *Agent) finish(e *entry, attempt int, err error) {
	a.mu.Lock()
	if !e.pending || e.attempt != attempt {
		a.mu.Unlock() // a second done call for the same send: ignore it
		return
	}
	e.pending = false
	if err == nil {
		e.done = true
		e.data = nil
		a.inflight -= e.size
		a.stats.Confirmed++
		e.q.advanceLocked()
		a.dirty = true
		a.mu.Unlock()
		return
	}
	a.stats.Failures++
	backoff := a.cfg.RetryInitialBackoff
	for i := 1; i < e.attempt && backoff < a.cfg.RetryMaxBackoff; i++ {
		backoff *= 2
	}
	backoff = min(backoff, a.cfg.RetryMaxBackoff)
	e.retryAt = a.clock.Now().Add(backoff)
	a.retries = append(a.retries, e)
	path, end := e.path, e.end
	a.mu.Unlock()
	a.report(fmt.Errorf("agent: record ending at offset %d of %s failed on attempt %d, retrying in %v: %w", end, path, attempt, backoff, err))
}

// resendDue sends again the failed records whose backoff has passed.
func (a *Agent) resendDue(ctx context.Context, now time.Time) {
	a.mu.Lock()
	var due []*entry
	kept := a.retries[:0]
	for _, e := range a.retries {
		if e.retryAt.After(now) {
			kept = append(kept, e)
		} else {
			due = append(due, e)
		}
	}
	clear(a.retries[len(kept):])
	a.retries = kept
	a.mu.Unlock()
	for _, e := range due {
		a.send(ctx, e)
	}
}

// full reports whether the in-flight bytes have reached MaxInFlightBytes.
func (a *Agent) full() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.inflight >= a.cfg.MaxInFlightBytes
}
