package delivery

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// maxQueued is how many sealed buffers may wait for the destination
// before the shards' Processors stop taking new records.
const maxQueued = 4

// buffer is a set of records delivered together: the open buffer of one
// partition, or, with errorType set, a set of records for the error
// output.
type buffer struct {
	key       string            // the partition's values, joined
	vals      map[string]string // partition key values by "namespace:name"
	errorType string
	recs      []bufRecord
	bytes     int
	first     time.Time // when the first record was buffered, on the Clock
	oldest    time.Time // the oldest ApproximateArrivalTimestamp
}

// bufRecord is one record of a buffer.
type bufRecord struct {
	shard   *shard
	idx     int64  // in the shard's records
	data    []byte // what to deliver: transformed data and delimiter, or an error line
	seq     string
	sub     int64
	arrival time.Time
}

// newBuffer returns an empty buffer.
func newBuffer(key string, vals map[string]string, errorType string, now time.Time) *buffer {
	return &buffer{key: key, vals: vals, errorType: errorType, first: now}
}

// push appends r to b.
func (b *buffer) push(r bufRecord) {
	if len(b.recs) == 0 || r.arrival.Before(b.oldest) {
		b.oldest = r.arrival
	}
	b.recs = append(b.recs, r)
	b.bytes += len(r.data)
}

// addLocked puts r in the open buffer of its partition, opening one if
// needed, and seals the buffer once it reaches the size (or the
// destination's record limit). d.mu is held.
func (d *DeliveryStream) addLocked(key string, vals map[string]string, r bufRecord, now time.Time) {
	b := d.open[key]
	if b == nil {
		b = newBuffer(key, vals, "", now)
		d.open[key] = b
		d.poke()
	}
	b.push(r)
	if b.bytes >= d.cfg.bufferBytes || d.cfg.maxRecords > 0 && len(b.recs) >= d.cfg.maxRecords {
		delete(d.open, key)
		d.enqueueLocked(b)
	}
}

// enqueueLocked queues a sealed buffer for delivery. d.mu is held.
func (d *DeliveryStream) enqueueLocked(b *buffer) {
	d.queue = append(d.queue, b)
	d.poke()
}

// poke wakes the delivery loop.
func (d *DeliveryStream) poke() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// waitForRoom waits until fewer than maxQueued buffers wait for
// delivery; it returns false if ctx or the stream ends first.
func (d *DeliveryStream) waitForRoom(ctx context.Context) bool {
	for {
		d.mu.Lock()
		full, room := len(d.queue) >= maxQueued, d.room
		d.mu.Unlock()
		if !full {
			return true
		}
		select {
		case <-room:
		case <-ctx.Done():
			return false
		case <-d.stopped:
			return false
		}
	}
}

// next returns the next buffer to deliver: a queued one, or an open one
// whose interval has passed. It waits on the Clock for the earliest
// interval to pass, and returns nil when ctx ends.
func (d *DeliveryStream) next(ctx context.Context) *buffer {
	var (
		timer <-chan time.Time
		armed time.Time // the deadline timer was set for
	)
	interval := time.Duration(d.cfg.interval) * time.Second
	for {
		d.mu.Lock()
		now := d.cfg.Clock.Now()
		var due []*buffer
		var earliest time.Time
		for _, b := range d.open {
			switch deadline := b.first.Add(interval); {
			case !deadline.After(now):
				due = append(due, b)
			case earliest.IsZero() || deadline.Before(earliest):
				earliest = deadline
			}
		}
		slices.SortFunc(due, func(a, b *buffer) int {
			return cmp.Or(a.first.Compare(b.first), cmp.Compare(a.key, b.key))
		})
		for _, b := range due {
			delete(d.open, b.key)
			d.queue = append(d.queue, b)
		}
		if len(d.queue) > 0 {
			b := d.queue[0]
			d.queue = d.queue[1:]
			close(d.room)
			d.room = make(chan struct{})
			d.mu.Unlock()
			return b
		}
		d.mu.Unlock()
		switch {
		case earliest.IsZero():
			timer, armed = nil, time.Time{}
		case !earliest.Equal(armed):
			timer, armed = d.cfg.Clock.After(earliest.Sub(now)), earliest
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.wake:
		case <-timer:
			armed = time.Time{}
		}
	}
}
