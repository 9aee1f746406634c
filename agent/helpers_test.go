package agent

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// harness is an agent over a temporary directory, a stream on a manual
// clock, and helpers to write files and poll.
type harness struct {
	t      *testing.T
	dir    string
	clock  *kds.ManualClock
	stream *kds.Stream
	cfg    Config
	a      *Agent
	errs   []error
	mu     sync.Mutex
}

// newHarness returns a harness whose agent tails dir/app.log from the
// start of files, checkpointing on every poll; edit changes the config
// before the agent is made.
func newHarness(t *testing.T, edit func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, dir: t.TempDir(), clock: kds.NewManualClock(epoch)}
	s, err := kds.NewStream("logs", kds.WithShards(2), kds.WithClock(h.clock))
	if err != nil {
		t.Fatal(err)
	}
	h.stream = s
	h.cfg = Config{
		FilePattern:        filepath.Join(h.dir, "app.log"),
		Sink:               StreamSink(s),
		InitialPosition:    StartOfFile,
		CheckpointFile:     filepath.Join(h.dir, "checkpoints.json"),
		CheckpointInterval: time.Nanosecond,
		Clock:              h.clock,
		OnError: func(err error) {
			h.mu.Lock()
			h.errs = append(h.errs, err)
			h.mu.Unlock()
		},
	}
	if edit != nil {
		edit(&h.cfg)
	}
	h.start()
	return h
}

// start makes a new agent from h.cfg, as a restarted process would.
func (h *harness) start() {
	h.t.Helper()
	a, err := New(h.cfg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.a = a
	h.t.Cleanup(func() { a.closeFiles() })
}

// crash abandons the agent without a final checkpoint and starts a new
// one.
func (h *harness) crash() {
	h.t.Helper()
	h.a.pollMu.Lock()
	h.a.closed = true
	h.a.closeFiles()
	h.a.pollMu.Unlock()
	h.start()
}

// restart closes the agent cleanly and starts a new one.
func (h *harness) restart() {
	h.t.Helper()
	if err := h.a.Close(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	h.start()
}

// poll moves the clock a second on and polls.
func (h *harness) poll() {
	h.t.Helper()
	h.clock.Advance(time.Second)
	if err := h.a.Poll(context.Background()); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) path(name string) string { return filepath.Join(h.dir, name) }

// write appends s to the file name, creating it if needed.
func (h *harness) write(name, s string) {
	h.t.Helper()
	f, err := os.OpenFile(h.path(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		h.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		h.t.Fatal(err)
	}
}

// records returns the data of every record in the stream, in arrival
// order across shards.
func (h *harness) records() []string {
	h.t.Helper()
	return streamRecords(h.t, h.stream)
}

func streamRecords(t *testing.T, s *kds.Stream) []string {
	t.Helper()
	var recs []kds.Record
	for r, err := range s.Replay(context.Background(), kds.TrimHorizon()) {
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	slices.SortStableFunc(recs, func(a, b kds.Record) int {
		return a.ApproximateArrivalTimestamp.Compare(b.ApproximateArrivalTimestamp)
	})
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = string(r.Data)
	}
	return out
}

// wantRecords fails the test unless the stream holds exactly want, in any
// order (records of different shards interleave).
func (h *harness) wantRecords(want ...string) {
	h.t.Helper()
	got := h.records()
	g, w := slices.Clone(got), slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if !slices.Equal(g, w) {
		h.t.Fatalf("stream holds %d records:\n%q\nwant %d:\n%q", len(got), got, len(want), want)
	}
}

// lines returns "prefix i\n" for i in [from, to).
func lines(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, prefix+" "+strconv.Itoa(i)+"\n")
	}
	return out
}

func join(ss []string) string { return strings.Join(ss, "") }

// heldSink accepts records and holds their done calls until released.
type heldSink struct {
	mu   sync.Mutex
	sent []heldRecord
}

type heldRecord struct {
	key, data string
	done      func(error)
}

func (s *heldSink) Send(_ context.Context, key string, data []byte, done func(error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, heldRecord{key, string(data), done})
	return nil
}

func (s *heldSink) Flush(context.Context) error { return nil }

// release confirms the first n records not yet confirmed, in order.
func (s *heldSink) release(n int, err error) []string {
	s.mu.Lock()
	var fns []func(error)
	var data []string
	for i := range s.sent {
		if len(fns) == n {
			break
		}
		if s.sent[i].done != nil {
			fns = append(fns, s.sent[i].done)
			data = append(data, s.sent[i].data)
			s.sent[i].done = nil
		}
	}
	s.mu.Unlock()
	for _, f := range fns {
		f(err)
	}
	return data
}

func (s *heldSink) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.sent {
		out = append(out, r.data)
	}
	return out
}
