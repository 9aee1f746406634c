package dashboard

import (
	"sync"
	"time"
)

// historyLength is how many changes of its open shard count the history
// keeps per stream.
const historyLength = 256

// history remembers each stream's open shard count over time. It keeps
// only changes: a count equal to the last one recorded adds nothing, so
// recording often costs little and a stream that rarely reshards keeps a
// long past. It is safe for concurrent use.
type history struct {
	mu      sync.Mutex
	streams map[string]*countLog
}

// countLog is one stream's recorded counts, oldest first.
type countLog struct {
	// created tells a stream from an earlier one of the same name.
	created time.Time
	counts  []ShardCount
}

func newHistory() *history {
	return &history{streams: make(map[string]*countLog)}
}

// record notes that the stream named name, created at created, had open
// shards at time t.
func (h *history) record(name string, created, t time.Time, open int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.streams[name]
	if l == nil || !l.created.Equal(created) {
		l = &countLog{created: created}
		h.streams[name] = l
	}
	if n := len(l.counts); n > 0 && (l.counts[n-1].OpenShards == open || t.Before(l.counts[n-1].Time)) {
		return
	}
	if len(l.counts) == historyLength {
		l.counts = append(l.counts[:0], l.counts[1:]...)
	}
	l.counts = append(l.counts, ShardCount{Time: t, OpenShards: open})
}

// counts returns the stream's recorded counts followed by its count now,
// unless the last one recorded is of now.
func (h *history) counts(name string, now time.Time, open int) []ShardCount {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []ShardCount
	if l := h.streams[name]; l != nil {
		out = append(out, l.counts...)
	}
	if n := len(out); n > 0 && out[n-1].Time.Equal(now) {
		return out
	}
	return append(out, ShardCount{Time: now, OpenShards: open})
}

// retain forgets every stream not named in names.
func (h *history) retain(names map[string]bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for name := range h.streams {
		if !names[name] {
			delete(h.streams, name)
		}
	}
}
