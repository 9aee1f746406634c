package consumergroup

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kdsgo/kds"
)

// Worker is one member of a consumer group. It takes a fair share of the
// stream's shard leases, runs a [Processor] for each, renews the leases,
// takes over leases of workers that have gone, and creates leases for new
// shards. Start it with Run; its methods are safe for concurrent use.
type Worker struct {
	cfg       Config
	running   atomic.Bool
	consumers sync.WaitGroup // one per shard consumer goroutine

	mu          sync.Mutex
	held        map[string]*heldLease // by shard ID
	releaseErrs []error

	// Run's goroutine only.
	seen   map[string]observation // how each lease's counter has moved
	listed map[string]bool        // shard IDs of the last shard sync
}

// NewWorker returns a Worker for cfg, or every reason cfg is invalid.
func NewWorker(cfg Config) (*Worker, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Worker{cfg: c, held: map[string]*heldLease{}, seen: map[string]observation{}}, nil
}

// ID returns the worker's ID, as its leases name their owner.
func (w *Worker) ID() string { return w.cfg.WorkerID }

// ShardIDs returns the shards whose leases the worker holds, sorted.
func (w *Worker) ShardIDs() []string {
	w.mu.Lock()
	held := slices.Collect(maps.Values(w.held))
	w.mu.Unlock()
	var ids []string
	for _, h := range held {
		if !h.isGone() {
			ids = append(ids, h.key)
		}
	}
	slices.Sort(ids)
	return ids
}

// Run works until ctx ends, then shuts down gracefully: it stops reading,
// gives each Processor its ShutdownRequested call (renewing the leases
// meanwhile) and releases the leases, so that other workers take them at
// once. It returns nil after a graceful shutdown, the errors of leases it
// could not release, or, at once, the error of a first shard sync that
// failed for a reason other than throttling (a missing stream, a failing
// store). Run may be called only once.
func (w *Worker) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("consumergroup: Worker.Run called more than once")
	}
	if err := w.firstSync(ctx); err != nil {
		return err
	}
	renewEvery := w.cfg.LeaseDuration / 3
	w.balance(ctx)
	renew := w.cfg.Clock.After(renewEvery)
	resync := w.cfg.Clock.After(w.cfg.ShardSyncInterval)
	for {
		select {
		case <-ctx.Done():
			return w.shutdown(context.WithoutCancel(ctx))
		case <-renew:
			w.renewAll(ctx)
			w.balance(ctx)
			renew = w.cfg.Clock.After(renewEvery)
		case <-resync:
			_ = w.syncShards(ctx) // retried at the next interval
			resync = w.cfg.Clock.After(w.cfg.ShardSyncInterval)
		}
	}
}

// firstSync creates the leases of the stream's shards before the worker
// takes any, retrying throttled calls.
func (w *Worker) firstSync(ctx context.Context) error {
	backoff := minBackoff
	for {
		err := w.syncShards(ctx)
		if err == nil || ctx.Err() != nil {
			return nil
		}
		if !kds.IsRetriable(err) {
			return err
		}
		if !w.wait(ctx, backoff) {
			return nil
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// shutdown waits for the shard consumers, whose contexts have ended, to
// give their Processors the last call and release their leases, and keeps
// the leases renewed meanwhile.
func (w *Worker) shutdown(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		w.consumers.Wait()
		close(done)
	}()
	for {
		select {
		case <-done:
			w.mu.Lock()
			defer w.mu.Unlock()
			return errors.Join(w.releaseErrs...)
		case <-w.cfg.Clock.After(w.cfg.LeaseDuration / 3):
			w.renewAll(ctx)
		}
	}
}

// start begins processing a lease the worker has just taken.
func (w *Worker) start(ctx context.Context, l Lease) {
	cctx, cancel := context.WithCancelCause(ctx)
	h := &heldLease{w: w, key: l.Key, cancel: cancel, lease: l, renewed: w.cfg.Clock.Now()}
	w.mu.Lock()
	w.held[l.Key] = h
	w.mu.Unlock()
	w.consumers.Add(1)
	go w.consume(cctx, h)
}

// drop forgets a lease whose shard consumer has finished.
func (w *Worker) drop(h *heldLease) {
	h.cancel(nil)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.held[h.key] == h {
		delete(w.held, h.key)
	}
}

// recordRelease keeps the error of a lease release for Run to return.
func (w *Worker) recordRelease(err error) {
	if err == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.releaseErrs = append(w.releaseErrs, err)
}

// holding returns the worker's leases, lost ones excluded.
func (w *Worker) holding() map[string]*heldLease {
	w.mu.Lock()
	all := maps.Clone(w.held)
	w.mu.Unlock()
	maps.DeleteFunc(all, func(_ string, h *heldLease) bool { return h.isGone() })
	return all
}

// busy returns the shards whose consumers are still running, whether or
// not their leases are lost.
func (w *Worker) busy() map[string]bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make(map[string]bool, len(w.held))
	for k := range w.held {
		out[k] = true
	}
	return out
}

// renewAll renews every lease the worker holds.
func (w *Worker) renewAll(ctx context.Context) {
	for _, h := range w.holding() {
		h.renew(ctx)
	}
}
