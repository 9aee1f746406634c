package agent

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

func TestOneRecordPerLine(t *testing.T) {
	h := newHarness(t, nil)
	h.write("app.log", "first\nsecond\nthi")
	h.poll()
	h.wantRecords("first\n", "second\n")
	h.write("app.log", "rd\n")
	h.poll()
	h.wantRecords("first\n", "second\n", "third\n")
	h.poll()
	h.wantRecords("first\n", "second\n", "third\n")
	if s := h.a.Stats(); s.Records != 3 || s.Confirmed != 3 || s.BytesRead != 19 {
		t.Errorf("stats %+v", s)
	}
}

func TestIncompleteRecordTimeout(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IncompleteRecordTimeout = 3 * time.Second })
	h.write("app.log", "done\nno newline yet")
	h.poll() // t=1s: read
	h.poll() // t=2s
	h.poll() // t=3s: waited 2s
	h.wantRecords("done\n")
	h.poll() // t=4s: waited 3s
	h.wantRecords("done\n", "no newline yet")
	h.write("app.log", " and more\n")
	h.poll()
	h.wantRecords("done\n", "no newline yet", " and more\n")
}

func TestIncompleteRecordNeverTimesOut(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.IncompleteRecordTimeout = -1 })
	h.write("app.log", "partial")
	for range 100 {
		h.poll()
	}
	h.wantRecords()
}

func TestInitialPositionEndOfFile(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.InitialPosition = "" }) // the default
	h.write("app.log", "old 1\nold 2\n")
	h.poll()
	h.write("app.log", "new 1\n")
	h.write("late.log", "whole\n")
	h.poll()
	h.wantRecords("new 1\n")
}

func TestMultiLineStartPattern(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.MultiLineStartPattern = `\d{4}-\d{2}-\d{2} `
		c.IncompleteRecordTimeout = 10 * time.Second
	})
	h.write("app.log", "stray line before the first record\n"+
		"2026-03-01 12:00:00 ERROR boom\n"+
		"java.lang.IllegalStateException: boom\n"+
		"\tat com.example.Main.run(Main.java:10)\n"+
		"2026-03-01 12:00:01 INFO fine\n"+
		"2026-03-01 12:00:02 ERROR again\n"+
		"\tat com.example.Main.run(Main.java:12)\n")
	h.poll()
	h.wantRecords("stray line before the first record\n",
		"2026-03-01 12:00:00 ERROR boom\njava.lang.IllegalStateException: boom\n\tat com.example.Main.run(Main.java:10)\n",
		"2026-03-01 12:00:01 INFO fine\n")
	// The last record is open until a start line or the timeout ends it.
	h.write("app.log", "\tat com.example.Main.main(Main.java:3)\n")
	h.poll()                         // t=2s: the bytes come
	h.clock.Advance(8 * time.Second) // t=11s after the next poll's second
	h.poll()
	h.wantRecords("stray line before the first record\n",
		"2026-03-01 12:00:00 ERROR boom\njava.lang.IllegalStateException: boom\n\tat com.example.Main.run(Main.java:10)\n",
		"2026-03-01 12:00:01 INFO fine\n")
	h.poll() // t=12s: 10 s since the bytes came
	h.wantRecords("stray line before the first record\n",
		"2026-03-01 12:00:00 ERROR boom\njava.lang.IllegalStateException: boom\n\tat com.example.Main.run(Main.java:10)\n",
		"2026-03-01 12:00:01 INFO fine\n",
		"2026-03-01 12:00:02 ERROR again\n\tat com.example.Main.run(Main.java:12)\n\tat com.example.Main.main(Main.java:3)\n")
}

func TestSingleLineOption(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.MultiLineStartPattern = `\{`
		c.DataProcessingOptions = []ProcessingOption{{OptionName: SingleLine}}
	})
	// The last record waits for the next start line (or the timeout).
	h.write("app.log", "{\n  \"a\": 1,\n  \"b\": [2, 3]\n}\n{\n  \"c\": 4\n}\n{\n")
	h.poll()
	h.wantRecords(`{"a": 1,"b": [2, 3]}`+"\n", `{"c": 4}`+"\n")
}

func TestCSVToJSONWithHeader(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.SkipHeaderLines = 1
		c.DataProcessingOptions = []ProcessingOption{{
			OptionName:       CSVToJSON,
			CustomFieldNames: []string{"id", "name", "city"},
			Delimiter:        ";",
		}}
	})
	h.write("app.log", "id;name;city\n1;ada;london\n2;grace\n3;linus;helsinki;extra\n")
	h.poll()
	h.wantRecords(`{"id":"1","name":"ada","city":"london"}`+"\n",
		`{"id":"2","name":"grace","city":null}`+"\n",
		`{"id":"3","name":"linus","city":"helsinki"}`+"\n")
	if s := h.a.Stats(); s.SkippedBytes != int64(len("id;name;city\n")) {
		t.Errorf("SkippedBytes = %d", s.SkippedBytes)
	}
}

func TestSkipHeaderLinesSplitAcrossPolls(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SkipHeaderLines = 2 })
	h.write("app.log", "#Version: 1.0\n#Fie")
	h.poll()
	h.write("app.log", "lds: date time\nrow 1\n")
	h.poll()
	h.restart()
	h.write("app.log", "row 2\n")
	h.poll()
	h.wantRecords("row 1\n", "row 2\n")
}

func TestLogToJSONAgent(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.DataProcessingOptions = []ProcessingOption{{OptionName: LogToJSON, LogFormat: CommonApacheLog}}
	})
	h.write("app.log", `127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`+"\n"+
		"this is not an access log line\n"+
		`10.0.0.2 - - [01/Mar/2026:12:00:00 +0000] "POST /login HTTP/1.1" 302 -`+"\n")
	h.poll()
	h.wantRecords(
		`{"host":"127.0.0.1","ident":null,"authuser":"frank","datetime":"10/Oct/2000:13:55:36 -0700","request":"GET /apache_pb.gif HTTP/1.0","response":"200","bytes":"2326"}`+"\n",
		`{"host":"10.0.0.2","ident":null,"authuser":null,"datetime":"01/Mar/2026:12:00:00 +0000","request":"POST /login HTTP/1.1","response":"302","bytes":null}`+"\n")
	if s := h.a.Stats(); s.Dropped != 1 || s.Records != 2 {
		t.Errorf("stats %+v, want 1 dropped, 2 records", s)
	}
	// The dropped line does not hold the checkpoint back.
	h.restart()
	h.poll()
	if got := len(h.records()); got != 2 {
		t.Errorf("after restart the stream holds %d records, want 2", got)
	}
}

func TestTruncatedRecord(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.MaxRecordBytes = 1024
		c.PartitionKey = "k"
		c.TruncatedRecordTerminator = "<cut>\n"
	})
	long := strings.Repeat("x", 3000)
	h.write("app.log", "short\n"+long+"\nafter\n")
	h.poll()
	want := long[:1023-6] + "<cut>\n"
	h.wantRecords("short\n", want, "after\n")
	if s := h.a.Stats(); s.Truncated != 1 {
		t.Errorf("Truncated = %d", s.Truncated)
	}
	// A converted record that grows past the limit is cut as well.
	h2 := newHarness(t, func(c *Config) {
		c.MaxRecordBytes = 1024
		c.PartitionKey = "k"
		c.DataProcessingOptions = []ProcessingOption{{OptionName: CSVToJSON, CustomFieldNames: []string{"a", "b"}}}
	})
	h2.write("app.log", strings.Repeat("\"", 600)+",b\n")
	h2.poll()
	got := h2.records()
	if len(got) != 1 || len(got[0]) != 1023 || !strings.HasSuffix(got[0], "\n") {
		t.Errorf("got %d records, first %d bytes", len(got), len(got[0]))
	}
}

func TestPartitionKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want func(key, data string) bool
	}{
		{"random", nil, func(k, _ string) bool {
			return len(k) > 0 && len(k) <= 30 && strings.Trim(k, "0123456789.e+-") == "" && k < "999999.99999999999999"
		}},
		{"deterministic", func(c *Config) { c.PartitionKeyOption = Deterministic }, func(k, d string) bool {
			return k == map[string]string{"a\n": "60b725f10c9c85c70d97880dfe8191b3", "b\n": "3b5d5c3712955042212316173ccf37be"}[d]
		}},
		{"fixed", func(c *Config) { c.PartitionKey = "host-1" }, func(k, _ string) bool { return k == "host-1" }},
		{"func", func(c *Config) { c.PartitionKeyFunc = func(d []byte) string { return strings.TrimSpace(string(d)) } },
			func(k, d string) bool { return k == strings.TrimSpace(d) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink := &heldSink{}
			h := newHarness(t, func(c *Config) {
				c.Sink = sink
				if tc.edit != nil {
					tc.edit(c)
				}
			})
			h.write("app.log", "a\nb\n")
			h.poll()
			sink.mu.Lock()
			defer sink.mu.Unlock()
			if len(sink.sent) != 2 {
				t.Fatalf("%d records sent", len(sink.sent))
			}
			for _, r := range sink.sent {
				if !tc.want(r.key, r.data) {
					t.Errorf("key %q for %q", r.key, r.data)
				}
			}
		})
	}
}

func TestGlobPicksUpNewFiles(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.FilePattern = filepath.Join(c.FilePattern, "..", "*.log") })
	h.write("a.log", "a1\n")
	h.write("ignored.txt", "nope\n")
	h.poll()
	h.write("b.log", "b1\n")
	if err := os.Mkdir(h.path("dir.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.poll()
	h.write("a.log", "a2\n")
	h.write("b.log", "b2\n")
	h.poll()
	h.wantRecords("a1\n", "b1\n", "a2\n", "b2\n")
	if s := h.a.Stats(); s.Files != 2 {
		t.Errorf("Files = %d", s.Files)
	}
}

func TestCheckpointRestart(t *testing.T) {
	h := newHarness(t, nil)
	all := lines("line", 0, 30)
	h.write("app.log", join(all[:10])+"partial")
	h.poll()
	h.restart()
	// A new agent resumes: no line twice, and the partial one is read
	// again from its start.
	h.write("app.log", " done\n"+join(all[10:20]))
	h.poll()
	h.restart()
	h.write("app.log", join(all[20:]))
	h.poll()
	want := append(append(append([]string{}, all[:10]...), "partial done\n"), all[10:]...)
	h.wantRecords(want...)
}

func TestCheckpointWaitsForAFileThatFailsToOpen(t *testing.T) {
	h := newHarness(t, nil)
	all := lines("line", 0, 30)
	h.write("app.log", join(all[:10]))
	h.poll()
	h.restart()
	// The restarted agent cannot open the file at first (as when its
	// permissions are wrong for a while): it keeps the file's checkpoint,
	// in memory and in the checkpoint file, rather than starting over.
	denied := errors.New("permission denied")
	h.a.openFile = func(string) (*os.File, error) { return nil, denied }
	h.write("app.log", join(all[10:20]))
	h.clock.Advance(time.Second)
	if err := h.a.Poll(context.Background()); !errors.Is(err, denied) {
		t.Fatalf("poll of an unopenable file: %v, want %v", err, denied)
	}
	h.crash() // the checkpoint written by that poll is all the next agent has
	h.a.openFile = func(string) (*os.File, error) { return nil, denied }
	h.clock.Advance(time.Second)
	if err := h.a.Poll(context.Background()); !errors.Is(err, denied) {
		t.Fatalf("poll of an unopenable file: %v, want %v", err, denied)
	}
	h.a.openFile = os.Open
	h.poll()
	h.write("app.log", join(all[20:]))
	h.poll()
	h.wantRecords(all...)
}

func TestCheckpointForgetsAFileThatIsGone(t *testing.T) {
	h := newHarness(t, nil)
	h.write("app.log", "one\n")
	h.poll()
	h.restart()
	if err := os.Remove(h.path("app.log")); err != nil {
		t.Fatal(err)
	}
	h.poll()
	cps, _, err := loadCheckpoints(h.cfg.CheckpointFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(cps) != 0 || len(h.a.saved) != 0 {
		t.Errorf("checkpoints of a deleted file kept: file %v, memory %v", cps, h.a.saved)
	}
}

func TestCheckpointInitialPositionIgnoredOnRestart(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.InitialPosition = EndOfFile
		c.FilePattern = filepath.Join(c.FilePattern, "..", "*.log")
	})
	h.write("a.log", "before start\n")
	h.poll()
	h.write("a.log", "a1\n")
	h.poll()
	h.restart()
	// Created while the agent was down: read from its start.
	h.write("b.log", "b1\n")
	h.poll()
	h.wantRecords("a1\n", "b1\n")
}

// TestCrashWindow shows the checkpoint window: after a crash, the records
// confirmed since the last checkpoint write are sent again, and nothing
// is lost.
func TestCrashWindow(t *testing.T) {
	sink := &heldSink{}
	h := newHarness(t, func(c *Config) {
		c.Sink = sink
		c.CheckpointInterval = time.Hour
	})
	h.write("app.log", "r1\nr2\nr3\nr4\n")
	h.poll() // sends r1-r4, writes an empty checkpoint (the first)
	sink.release(2, nil)
	h.clock.Advance(time.Hour)
	h.poll() // checkpoint after r2
	sink.release(1, nil)
	// r3 is confirmed, r4 is not; neither is in the checkpoint. Crash.
	h.cfg.Sink = StreamSink(h.stream)
	h.crash()
	h.write("app.log", "r5\n")
	h.poll()
	h.wantRecords("r3\n", "r4\n", "r5\n")

	cp, ok, err := loadCheckpoints(h.cfg.CheckpointFile)
	if err != nil || !ok || len(cp) != 1 {
		t.Fatalf("checkpoints %v %v %v", cp, ok, err)
	}
	for _, c := range cp {
		if c.Offset != 15 {
			t.Errorf("checkpoint offset %d, want 15", c.Offset)
		}
	}
}

// TestCheckpointNeverAhead: the checkpoint never passes a record the sink
// has not confirmed, even when later records are confirmed first.
func TestCheckpointNeverAhead(t *testing.T) {
	sink := &heldSink{}
	h := newHarness(t, func(c *Config) { c.Sink = sink })
	h.write("app.log", "r1\nr2\nr3\n")
	h.poll()
	sink.mu.Lock()
	done2, done3 := sink.sent[1].done, sink.sent[2].done
	sink.mu.Unlock()
	done3(nil)
	done2(nil)
	done2(nil) // a second call is ignored
	h.poll()
	cp, _, _ := loadCheckpoints(h.cfg.CheckpointFile)
	for _, c := range cp {
		if c.Offset != 0 {
			t.Fatalf("checkpoint at %d before r1 is confirmed", c.Offset)
		}
	}
	sink.release(1, nil)
	h.poll()
	cp, _, _ = loadCheckpoints(h.cfg.CheckpointFile)
	for _, c := range cp {
		if c.Offset != 9 {
			t.Fatalf("checkpoint at %d, want 9", c.Offset)
		}
	}
}

func TestFailingSinkRetries(t *testing.T) {
	var (
		mu   sync.Mutex
		seen = map[string]int{}
	)
	var h *harness
	fail := sinkFunc(func(ctx context.Context, key string, data []byte, done func(error)) error {
		mu.Lock()
		seen[string(data)]++
		n := seen[string(data)]
		mu.Unlock()
		switch {
		case string(data) == "bad\n" && n <= 3:
			done(kds.ErrProvisionedThroughputExceeded)
			return nil
		case string(data) == "refused\n" && n == 1:
			return errors.New("queue full")
		}
		return StreamSink(h.stream).Send(ctx, key, data, done)
	})
	h = newHarness(t, func(c *Config) {
		c.Sink = fail
		c.RetryInitialBackoff = time.Second
		c.RetryMaxBackoff = 3 * time.Second
	})
	h.write("app.log", "ok 1\nbad\nrefused\nok 2\n")
	h.poll()
	h.wantRecords("ok 1\n", "ok 2\n")
	// Backoffs: 1 s, 2 s, 3 s (capped) for "bad"; 1 s for "refused".
	for range 7 {
		h.poll()
	}
	h.wantRecords("ok 1\n", "ok 2\n", "bad\n", "refused\n")
	if s := h.a.Stats(); s.Failures != 4 || s.Confirmed != 4 {
		t.Errorf("stats %+v", s)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.errs) != 4 || !errors.Is(h.errs[0], kds.ErrProvisionedThroughputExceeded) {
		t.Errorf("OnError got %v", h.errs)
	}
}

func TestBackpressure(t *testing.T) {
	sink := &heldSink{}
	h := newHarness(t, func(c *Config) {
		c.Sink = sink
		c.MaxInFlightBytes = 10
	})
	h.write("app.log", strings.Repeat("0123456789\n", 20000))
	h.poll()
	if n := len(sink.all()); n == 0 || n > 64<<10/11+1 {
		t.Fatalf("%d records in flight", n)
	}
	first := len(sink.all())
	h.poll()
	if n := len(sink.all()); n != first {
		t.Fatalf("read on while full: %d records", n)
	}
	sink.release(first, nil)
	h.poll()
	if n := len(sink.all()); n <= first {
		t.Fatalf("did not resume: %d records", n)
	}
	for range 10 {
		sink.release(20000, nil)
		h.poll()
	}
	if n := len(sink.all()); n != 20000 {
		t.Fatalf("%d records in the end", n)
	}
}

type sinkFunc func(ctx context.Context, key string, data []byte, done func(error)) error

func (f sinkFunc) Send(ctx context.Context, key string, data []byte, done func(error)) error {
	return f(ctx, key, data, done)
}
func (sinkFunc) Flush(context.Context) error { return nil }

func TestRunAndClose(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.PollInterval = time.Second })
	h.write("app.log", "one\n")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- h.a.Run(ctx) }()
	h.clock.BlockUntil(1) // first poll done, waiting
	h.write("app.log", "two\n")
	h.clock.Advance(time.Second)
	h.clock.BlockUntil(1)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	h.wantRecords("one\n", "two\n")
	if err := h.a.Poll(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Poll after Close: %v", err)
	}
	if err := h.a.Close(ctx); err != nil {
		t.Errorf("second Close: %v", err)
	}
	cp, ok, err := loadCheckpoints(h.cfg.CheckpointFile)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	for _, c := range cp {
		if c.Offset != 8 {
			t.Errorf("final checkpoint offset %d, want 8", c.Offset)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	sink := &heldSink{}
	for _, tc := range []struct {
		name string
		cfg  Config
		want []string
	}{
		{"empty", Config{}, []string{"FilePattern is empty", "Sink is nil"}},
		{"bad values", Config{
			FilePattern: "[", Sink: sink, PartitionKeyOption: "HASH", InitialPosition: "MIDDLE",
			SkipHeaderLines: -1, MultiLineStartPattern: "(", MaxRecordBytes: 100, PollInterval: -1,
			PartitionKey: "k", PartitionKeyFunc: func([]byte) string { return "" },
		}, []string{"FilePattern", "PartitionKeyOption", "InitialPosition", "SkipHeaderLines",
			"MultiLineStartPattern", "TruncatedRecordTerminator", "PollInterval", "both set"}},
		{"processing options", Config{FilePattern: "x", Sink: sink, DataProcessingOptions: []ProcessingOption{
			{}, {OptionName: "ADDBRACKETS"}, {OptionName: CSVToJSON},
			{OptionName: LogToJSON, LogFormat: "NGINX"},
			{OptionName: LogToJSON, LogFormat: Syslog, MatchPattern: "(a)"},
			{OptionName: LogToJSON, LogFormat: Syslog, CustomFieldNames: []string{"only one"}},
			{OptionName: LogToJSON, LogFormat: Syslog, MatchPattern: "(a)(b)", CustomFieldNames: []string{"a"}},
		}}, []string{"[0]", "[1]", "[2]", "[3]", "[4]", "[5]", "[6]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestCorruptCheckpointFile(t *testing.T) {
	dir := t.TempDir()
	cp := filepath.Join(dir, "cp")
	os.WriteFile(cp, []byte("{not json"), 0o644)
	if _, err := New(Config{FilePattern: "x", Sink: &heldSink{}, CheckpointFile: cp}); err == nil {
		t.Fatal("corrupt checkpoint file accepted")
	}
}

// asyncSink stores each record from its own goroutine, as a producer
// would, and waits for them all in Flush.
type asyncSink struct {
	s  *kds.Stream
	wg sync.WaitGroup
}

func (k *asyncSink) Send(ctx context.Context, key string, data []byte, done func(error)) error {
	k.wg.Add(1)
	go func() {
		defer k.wg.Done()
		_, err := k.s.Put(ctx, key, data)
		done(err)
	}()
	return nil
}

func (k *asyncSink) Flush(context.Context) error {
	k.wg.Wait()
	return nil
}

// TestAsyncSink: done calls from other goroutines, concurrent with polls
// and a writer, lose nothing and duplicate nothing across a clean restart.
func TestAsyncSink(t *testing.T) {
	h := newHarness(t, nil)
	h.cfg.Sink = &asyncSink{s: h.stream}
	h.start()
	all := lines("async", 0, 400)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200; i += 20 {
			h.write("app.log", join(all[i:i+20]))
		}
	}()
	for range 20 {
		h.poll()
	}
	wg.Wait()
	h.restart()
	h.cfg.Sink.(*asyncSink).s = h.stream
	h.write("app.log", join(all[200:]))
	h.poll()
	if err := h.a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.wantRecords(all...)
}
