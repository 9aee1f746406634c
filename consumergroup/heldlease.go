package consumergroup

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// errLeaseLost is the cancellation cause of a shard consumer whose lease
// is gone.
var errLeaseLost = errors.New("consumergroup: lease lost")

// heldLease is a lease this worker holds, shared by the worker's renewals,
// the shard consumer and its Checkpointer. Every change to the stored
// lease goes through update, under mu, so they never race each other.
type heldLease struct {
	w      *Worker
	key    string
	cancel context.CancelCauseFunc // stops the shard consumer

	mu      sync.Mutex
	lease   Lease     // as last stored
	renewed time.Time // when the stored lease last changed
	gone    bool      // lost or released: no more changes
	last    recordPos // last record delivered to the Processor
	ended   bool      // the shard's end was reached
}

// update applies change to a copy of the lease and stores it, conditional
// on the counter. It fails with ErrLeaseLost once the lease is gone, and
// marks it gone if another worker changed it. change may refuse by
// returning an error, which update returns.
func (h *heldLease) update(ctx context.Context, change func(*Lease) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.gone {
		return fmt.Errorf("%w: shard %s", ErrLeaseLost, h.key)
	}
	next := h.lease.clone()
	if err := change(&next); err != nil {
		return err
	}
	stored, err := h.w.cfg.Store.UpdateLease(ctx, h.w.cfg.ApplicationName, next)
	switch {
	case err == nil:
		h.lease, h.renewed = stored, h.w.cfg.Clock.Now()
		return nil
	case errors.Is(err, ErrConflict), errors.Is(err, ErrLeaseNotFound):
		h.loseLocked()
		return fmt.Errorf("%w: shard %s: %w", ErrLeaseLost, h.key, err)
	}
	return err
}

// loseLocked marks the lease gone and stops its shard consumer.
func (h *heldLease) loseLocked() {
	h.gone = true
	h.cancel(errLeaseLost)
}

// renew bumps the lease's counter. A lease that could not be renewed for
// LeaseDuration (the store failing, say) counts as lost: by then other
// workers may have taken it.
func (h *heldLease) renew(ctx context.Context) {
	err := h.update(ctx, func(*Lease) error { return nil })
	if err == nil || errors.Is(err, ErrLeaseLost) {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.gone && h.w.cfg.Clock.Now().Sub(h.renewed) >= h.w.cfg.LeaseDuration {
		h.loseLocked()
	}
}

// release clears the lease's owner so that any worker may take it at
// once, and reports whether the store refused for a reason other than
// the lease being gone already.
func (h *heldLease) release(ctx context.Context) error {
	err := h.update(ctx, func(l *Lease) error {
		l.Owner = ""
		return nil
	})
	if errors.Is(err, ErrLeaseLost) {
		return nil
	}
	h.mu.Lock()
	h.gone = true
	h.mu.Unlock()
	if err != nil {
		return fmt.Errorf("consumergroup: releasing lease of shard %s: %w", h.key, err)
	}
	return nil
}

// isGone reports whether the lease was lost or released.
func (h *heldLease) isGone() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gone
}

// checkpoint returns the lease's stored checkpoint.
func (h *heldLease) checkpoint() ExtendedSequenceNumber {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lease.Checkpoint
}

// delivered records that the Processor is being given records up to p.
func (h *heldLease) delivered(p recordPos) {
	h.mu.Lock()
	h.last = p
	h.mu.Unlock()
}

// reachedEnd records that every record of the shard has been delivered.
func (h *heldLease) reachedEnd() {
	h.mu.Lock()
	h.ended = true
	h.mu.Unlock()
}
