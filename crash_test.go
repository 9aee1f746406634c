//go:build unix

package kds_test

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kdsgo/kds"
)

// The crash harness. TestCrashRecovery runs the test binary again as a
// child (crashChild) that puts records into a data directory as fast
// as it can while resharding, and prints what every call was
// acknowledged. The parent kills the child with SIGKILL at a random
// moment, opens the directory itself and checks that everything
// acknowledged is there, once, where it was acknowledged, in order. The
// directory is kept from one child to the next, so later children start by
// recovering what earlier ones left behind, clean or not.

const (
	crashStream    = "crash"
	crashProducers = 4
	crashMaxBatch  = 50 // records in one PutRecords call of a child
	crashMaxOpen   = 8  // open shards from which the resharder merges instead of splitting
	// crashTokenAge is how old an iterator may be and still have to open:
	// a minute short of IteratorLifetime, so that none expires while it
	// is being checked.
	crashTokenAge = kds.IteratorLifetime - time.Minute
)

// crashPolicies are the sync policies the children rotate through, by the
// names KDS_CRASH_POLICY takes.
var crashPolicies = []string{"always", "interval", "os"}

// crashSyncPolicy returns the sync policy named in crashPolicies.
func crashSyncPolicy(name string) (kds.SyncPolicy, bool) {
	switch name {
	case "always":
		return kds.SyncEveryWrite(), true
	case "interval":
		return kds.SyncInterval(5 * time.Millisecond), true
	case "os":
		return kds.SyncByOS(), true
	}
	return kds.SyncPolicy{}, false
}

// crashOpen opens dir as the children and the parent's checks do.
func crashOpen(dir string, p kds.SyncPolicy) (*kds.Service, error) {
	return kds.NewService(kds.WithDataDir(dir), kds.WithSync(p), kds.WithThroughputLimits(kds.NoLimits))
}

// crashKey is the partition key of producer p's record n: each producer
// spreads its records over 8 keys of its own.
func crashKey(p, n int) string { return fmt.Sprintf("p%d-k%d", p, n%8) }

// crashData is the data of producer p's record n in run run.
func crashData(p, run, n int) []byte { return fmt.Appendf(nil, "p=%d r=%d n=%d", p, run, n) }

// crashShards lists every shard of the crash stream, open and closed.
func crashShards(svc *kds.Service) ([]kds.Shard, error) {
	var all []kds.Shard
	in := kds.ListShardsInput{StreamName: crashStream}
	for {
		out, err := svc.ListShards(ctx, in)
		if err != nil {
			return nil, err
		}
		all = append(all, out.Shards...)
		if out.NextToken == "" {
			return all, nil
		}
		in = kds.ListShardsInput{NextToken: out.NextToken}
	}
}

// crashChild is the child process of TestCrashRecovery: TestMain runs it
// instead of the tests when KDS_CRASH_DIR names its data directory.
// KDS_CRASH_POLICY (a name
// in crashPolicies), KDS_CRASH_RUN (the run number, part of every
// record's data) and KDS_CRASH_SEED complete its instructions. It writes
// until it is killed, printing these lines:
//
//	open                                     about to open the directory
//	ready                                    the stream is there; writing starts
//	A <p> <run> <n0> <count> <shardId>:<seq>...  producer p was acknowledged records n0..n0+count-1
//	T <unixms> <iterator>                    an iterator was issued at that time
//	R <op> <shardIds>                        a reshard was accepted
//	E <message>                              something failed; the child exits
func crashChild(dir string) {
	out := &crashOut{}
	policy, ok := crashSyncPolicy(os.Getenv("KDS_CRASH_POLICY"))
	run, err1 := strconv.Atoi(os.Getenv("KDS_CRASH_RUN"))
	seed, err2 := strconv.ParseUint(os.Getenv("KDS_CRASH_SEED"), 10, 64)
	if !ok || err1 != nil || err2 != nil {
		out.fatal("bad KDS_CRASH_POLICY, KDS_CRASH_RUN or KDS_CRASH_SEED")
	}
	out.printf("open")
	svc, err := crashOpen(dir, policy)
	if err != nil {
		out.fatal("opening the data directory %s: %v", dir, err)
	}
	_, err = svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: crashStream, ShardCount: 4})
	if err != nil && !errors.Is(err, kds.ErrResourceInUse) {
		out.fatal("CreateStream: %v", err)
	}
	out.printf("ready")
	for p := range crashProducers {
		go crashProduce(svc, out, p, run, rand.New(rand.NewPCG(seed, uint64(p))))
	}
	crashReshard(svc, out, rand.New(rand.NewPCG(seed, crashProducers)))
}

// TestMain runs the package's tests, or, in a child process of
// TestCrashRecovery, crashChild.
func TestMain(m *testing.M) {
	if dir := os.Getenv("KDS_CRASH_DIR"); dir != "" {
		crashChild(dir)
		return
	}
	os.Exit(m.Run())
}

// crashOut writes a child's lines to its stdout, each with one Write and
// no buffering, so a line the parent reads whole was written after the
// call it reports had returned.
type crashOut struct{ mu sync.Mutex }

// write writes line and a newline.
func (o *crashOut) write(line []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, err := os.Stdout.Write(append(line, '\n')); err != nil {
		os.Exit(3)
	}
}

// printf writes a formatted line.
func (o *crashOut) printf(format string, args ...any) { o.write(fmt.Appendf(nil, format, args...)) }

// fatal writes an E line and ends the child.
func (o *crashOut) fatal(format string, args ...any) {
	o.printf("E "+format, args...)
	os.Exit(3)
}

// crashProduce puts producer p's records, numbered from 0, until the child
// is killed: mostly PutRecords of 1 to crashMaxBatch records, sometimes
// PutRecord. Every record must be accepted, as nothing throttles them.
func crashProduce(svc *kds.Service, out *crashOut, p, run int, rng *rand.Rand) {
	var batch []kds.PutRecordsRequestEntry
	for n := 0; ; {
		line := fmt.Appendf(nil, "A %d %d %d", p, run, n)
		if rng.IntN(8) == 0 {
			o, err := svc.PutRecord(ctx, kds.PutRecordInput{StreamName: crashStream, PartitionKey: crashKey(p, n), Data: crashData(p, run, n)})
			if err != nil {
				out.fatal("producer %d: PutRecord: %v", p, err)
			}
			line = fmt.Appendf(line, " 1 %s:%s", o.ShardId, o.SequenceNumber)
			n++
		} else {
			batch = batch[:0]
			for i := range 1 + rng.IntN(crashMaxBatch) {
				batch = append(batch, kds.PutRecordsRequestEntry{PartitionKey: crashKey(p, n+i), Data: crashData(p, run, n+i)})
			}
			o, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: crashStream, Records: batch})
			if err != nil {
				out.fatal("producer %d: PutRecords: %v", p, err)
			}
			line = fmt.Appendf(line, " %d", len(batch))
			for _, e := range o.Records {
				if e.ErrorCode != "" {
					out.fatal("producer %d: PutRecords: a record failed: %s: %s", p, e.ErrorCode, e.ErrorMessage)
				}
				line = fmt.Appendf(line, " %s:%s", e.ShardId, e.SequenceNumber)
			}
			n += len(batch)
		}
		out.write(line)
		// A pause of up to 2ms keeps the volume a parent has to check
		// within bounds when puts do not wait for a sync.
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond)
	}
}

// crashReshard reshards the stream every 30 to 80 ms until the child is
// killed: it splits a random open shard in the middle of its range, or,
// once crashMaxOpen shards are open, merges a random adjacent pair. After
// each reshard it asks for some iterators.
func crashReshard(svc *kds.Service, out *crashOut, rng *rand.Rand) {
	for {
		time.Sleep(time.Duration(30+rng.IntN(51)) * time.Millisecond)
		shards, err := crashShards(svc)
		if err != nil {
			out.fatal("ListShards: %v", err)
		}
		var open []kds.Shard
		for _, sh := range shards {
			if sh.SequenceNumberRange.EndingSequenceNumber.IsZero() {
				open = append(open, sh)
			}
		}
		slices.SortFunc(open, func(a, b kds.Shard) int {
			return a.HashKeyRange.StartingHashKey.Compare(b.HashKeyRange.StartingHashKey)
		})
		if len(open) >= crashMaxOpen {
			i := rng.IntN(len(open) - 1)
			a, b := open[i].ShardId, open[i+1].ShardId
			if _, err := svc.MergeShards(ctx, kds.MergeShardsInput{StreamName: crashStream, ShardToMerge: a, AdjacentShardToMerge: b}); err != nil {
				out.fatal("MergeShards(%s, %s): %v", a, b, err)
			}
			out.printf("R merge %s %s", a, b)
		} else {
			sh := open[rng.IntN(len(open))]
			at := crashMiddle(sh.HashKeyRange)
			if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: crashStream, ShardToSplit: sh.ShardId, NewStartingHashKey: at}); err != nil {
				out.fatal("SplitShard(%s at %s): %v", sh.ShardId, at, err)
			}
			out.printf("R split %s", sh.ShardId)
		}
		crashIterators(svc, out, rng, shards[rng.IntN(len(shards))].ShardId)
	}
}

// crashMiddle returns the hash key halfway through r, in decimal.
func crashMiddle(r kds.HashKeyRange) string {
	lo, _ := new(big.Int).SetString(r.StartingHashKey.String(), 10)
	hi, _ := new(big.Int).SetString(r.EndingHashKey.String(), 10)
	return lo.Add(lo, hi).Rsh(lo, 1).String()
}

// crashIterators prints an iterator at the trim horizon of shard id, and
// the next iterators of up to three GetRecords calls from there.
func crashIterators(svc *kds.Service, out *crashOut, rng *rand.Rand, id string) {
	o, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: crashStream, ShardId: id, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
	if err != nil {
		out.fatal("GetShardIterator(%s): %v", id, err)
	}
	it := o.ShardIterator
	out.printf("T %d %s", time.Now().UnixMilli(), it)
	for range 1 + rng.IntN(3) {
		r, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it, Limit: 1 + rng.IntN(200)})
		if err != nil {
			out.fatal("GetRecords(%s): %v", id, err)
		}
		if it = r.NextShardIterator; it == "" {
			return
		}
		out.printf("T %d %s", time.Now().UnixMilli(), it)
	}
}

// TestCrashRecovery kills children writing to one data directory, one
// after another, and checks the directory after each kill except every
// fourth, which leaves an unclean directory to the next child. A quarter
// of the kills come 0-20ms after the child starts opening the directory,
// to catch recovery and the first writes; the rest 20-200ms after it is
// ready. KDS_CRASH_N sets the number of runs (default 12, 3 with -short,
// halved under the race detector); KDS_CRASH_SEED replays the parent's
// choices of a logged seed (the children's timing differs).
func TestCrashRecovery(t *testing.T) {
	runs := crashEnvInt(t, "KDS_CRASH_N", func() uint64 {
		switch {
		case testing.Short():
			return 3
		case raceEnabled:
			return 6
		}
		return 12
	})
	seed := crashEnvInt(t, "KDS_CRASH_SEED", rand.Uint64)
	t.Logf("%d runs, seed %d (KDS_CRASH_SEED replays it)", runs, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	dir := t.TempDir()
	l := &crashLedger{acked: map[crashRec]crashPlace{}, counts: map[[2]int]int{}}
	for run := range int(runs) {
		policy := crashPolicies[run%len(crashPolicies)]
		crashRun(t, dir, policy, run, rng, l)
		if t.Failed() {
			t.Fatalf("run %d (%s) failed; seed %d", run, policy, seed)
		}
		if run%4 == 3 && run != int(runs)-1 {
			continue
		}
		checkCrashDir(t, dir, policy, l)
		if t.Failed() {
			t.Fatalf("the check after run %d (%s) failed; seed %d", run, policy, seed)
		}
	}
}

// crashEnvInt returns the environment variable name as a number, or def()
// if it is not set.
func crashEnvInt(t *testing.T, name string, def func() uint64) uint64 {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def()
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return v
}

// crashRun runs child number run on dir under the named sync policy,
// kills it, and enters what it printed in l.
func crashRun(t *testing.T, dir, policy string, run int, rng *rand.Rand, l *crashLedger) {
	t.Helper()
	early := rng.IntN(4) == 0
	delay := time.Duration(20+rng.IntN(181)) * time.Millisecond
	if early {
		delay = time.Duration(rng.IntN(21)) * time.Millisecond
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.timeout=2m")
	cmd.Env = append(os.Environ(), "KDS_CRASH_DIR="+dir, "KDS_CRASH_POLICY="+policy,
		fmt.Sprintf("KDS_CRASH_RUN=%d", run), fmt.Sprintf("KDS_CRASH_SEED=%d", rng.Uint64()))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 256)
	go crashLines(stdout, lines)

	acked, reshards := len(l.acked), l.reshards
	var (
		kill   <-chan time.Time
		killed bool
		other  []string // lines that are not the child's own, such as test output
	)
	stuck := time.NewTimer(time.Minute)
	defer stuck.Stop()
	for open := true; open; {
		select {
		case line, ok := <-lines:
			switch {
			case !ok:
				open = false
			case line == "open" || line == "ready":
				l.ready = l.ready || line == "ready"
				if early == (line == "open") {
					kill = time.After(delay)
				}
			case !crashLine(line):
				other = append(other, line)
			default:
				if err := l.add(line); err != nil {
					t.Errorf("run %d: %v", run, err)
				}
			}
		case <-kill:
			killed, kill = cmd.Process.Kill() == nil, nil
		case <-stuck.C:
			t.Errorf("run %d: the child was not killed within a minute", run)
			killed = cmd.Process.Kill() == nil
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !killed || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Errorf("run %d: the child ended by itself (%v); its other output:\n%s\nstderr:\n%s", run, err, strings.Join(other, "\n"), &stderr)
	}
	if bytes.Contains(stderr.Bytes(), []byte("DATA RACE")) {
		t.Errorf("run %d: the child found a data race:\n%s", run, &stderr)
	}
	when := "ready"
	if early {
		when = "open"
	}
	t.Logf("run %d (%s): killed %v after %s; %d records acknowledged, %d reshards",
		run, policy, delay, when, len(l.acked)-acked, l.reshards-reshards)
}

// crashLines sends the lines a child writes to r, without their newlines,
// and closes lines at EOF. A last line cut off by the kill is dropped.
func crashLines(r io.Reader, lines chan<- string) {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		s, err := br.ReadString('\n')
		if err != nil {
			close(lines)
			return
		}
		lines <- s[:len(s)-1]
	}
}

// crashLine reports whether line is one of the child's reports (other
// than open and ready), rather than output of the testing package.
func crashLine(line string) bool {
	return len(line) > 2 && line[1] == ' ' && strings.ContainsRune("ATRE", rune(line[0]))
}

// crashRec names a record: producer p's record n in run run.
type crashRec struct{ p, run, n int }

func (r crashRec) String() string { return fmt.Sprintf("p=%d r=%d n=%d", r.p, r.run, r.n) }

// crashPlace is where a record is stored.
type crashPlace struct {
	shard string
	seq   kds.SequenceNumber
}

func (pl crashPlace) String() string { return pl.shard + ":" + pl.seq.String() }

// crashToken is an iterator a child printed, and when.
type crashToken struct {
	at time.Time
	it string
}

// crashLedger is what the children of one directory have reported.
type crashLedger struct {
	acked    map[crashRec]crashPlace
	counts   map[[2]int]int // per producer and run: records acknowledged, numbered from 0
	tokens   []crashToken
	reshards int
	ready    bool // a child has printed ready: the stream exists
}

// add enters one of a child's report lines.
func (l *crashLedger) add(line string) error {
	f := strings.Fields(line)
	switch f[0] {
	case "E":
		return fmt.Errorf("the child failed: %s", line[2:])
	case "R":
		l.reshards++
		return nil
	case "T":
		ms, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || len(f) != 3 {
			return fmt.Errorf("bad line %q", line)
		}
		l.tokens = append(l.tokens, crashToken{time.UnixMilli(ms), f[2]})
		return nil
	}
	var v [4]int
	for i := range v {
		n, err := strconv.Atoi(f[1+i])
		if err != nil {
			return fmt.Errorf("bad line %q", line)
		}
		v[i] = n
	}
	p, run, n0, count := v[0], v[1], v[2], v[3]
	if len(f) != 5+count {
		return fmt.Errorf("bad line %q", line)
	}
	// A producer's calls follow one another, so its acknowledged records
	// must be numbered without gaps.
	if k := l.counts[[2]int{p, run}]; n0 != k {
		return fmt.Errorf("producer %d of run %d was acknowledged records from %d after %d records", p, run, n0, k)
	}
	for i, s := range f[5:] {
		id, seq, _ := strings.Cut(s, ":")
		n, err := kds.ParseSequenceNumber(seq)
		if err != nil {
			return fmt.Errorf("bad sequence number in %q: %v", s, err)
		}
		l.acked[crashRec{p, run, n0 + i}] = crashPlace{id, n}
	}
	l.counts[[2]int{p, run}] += count
	return nil
}

// checkCrashDir opens dir as the next child would, and checks what it
// holds against what the children reported.
func checkCrashDir(t *testing.T, dir, policy string, l *crashLedger) {
	t.Helper()
	p, _ := crashSyncPolicy(policy)
	svc, err := crashOpen(dir, p)
	if err != nil {
		t.Fatalf("opening %s after the kill: %v", dir, err)
	}
	var c crashCheck
	for _, pr := range svc.StorageProblems() {
		// A kill can cut a write short; only that may need repair.
		if pr.Kind != "torn-tail" {
			c.errorf("storage problem after a kill: %+v", pr)
		}
	}
	// Until a child has been ready, the stream may not have been made.
	if _, ok := svc.Stream(crashStream); ok || l.ready {
		stored := c.readShards(svc)
		c.replay(svc, stored)
		c.acknowledged(l, stored)
		c.iterators(svc, l)
	}
	for _, s := range c.problems {
		t.Error(s)
	}
	if c.more > 0 {
		t.Errorf("... and %d more problems", c.more)
	}
	if err := svc.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// crashCheck collects what a check of a data directory finds wrong,
// keeping the first few.
type crashCheck struct {
	problems []string
	more     int
}

// errorf records a problem.
func (c *crashCheck) errorf(format string, args ...any) {
	if len(c.problems) < 20 {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	} else {
		c.more++
	}
}

// parseCrashRecord returns the name of a record a child put.
func parseCrashRecord(r kds.Record) (crashRec, error) {
	var id crashRec
	f := strings.Fields(string(r.Data))
	ok := len(f) == 3
	for i, v := range []*int{&id.p, &id.run, &id.n} {
		var err error
		if ok {
			_, s, _ := strings.Cut(f[i], "=")
			*v, err = strconv.Atoi(s)
		}
		ok = ok && err == nil
	}
	if !ok || string(crashData(id.p, id.run, id.n)) != string(r.Data) || r.PartitionKey != crashKey(id.p, id.n) {
		return crashRec{}, fmt.Errorf("record %s holds %q under key %q, which no child put", r.SequenceNumber, r.Data, r.PartitionKey)
	}
	return id, nil
}

// readShards reads every shard of the stream with GetRecords from its
// trim horizon, checking that sequence numbers increase and that no record
// is stored twice, and returns where each record is.
func (c *crashCheck) readShards(svc *kds.Service) map[crashRec]crashPlace {
	stored := map[crashRec]crashPlace{}
	shards, err := crashShards(svc)
	if err != nil {
		c.errorf("ListShards: %v", err)
		return stored
	}
	for _, sh := range shards {
		o, err := svc.GetShardIterator(ctx, kds.GetShardIteratorInput{StreamName: crashStream, ShardId: sh.ShardId, ShardIteratorType: kds.ShardIteratorTypeTrimHorizon})
		if err != nil {
			c.errorf("GetShardIterator(%s): %v", sh.ShardId, err)
			continue
		}
		var last kds.SequenceNumber
		for it, empty := o.ShardIterator, 0; it != ""; {
			r, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: it})
			if err != nil {
				c.errorf("GetRecords(%s) after %s: %v", sh.ShardId, last, err)
				break
			}
			for _, rec := range r.Records {
				if rec.SequenceNumber.Compare(last) <= 0 {
					c.errorf("shard %s: %s read after %s", sh.ShardId, rec.SequenceNumber, last)
				}
				last = rec.SequenceNumber
				id, err := parseCrashRecord(rec)
				if err != nil {
					c.errorf("shard %s: %v", sh.ShardId, err)
					continue
				}
				here := crashPlace{sh.ShardId, rec.SequenceNumber}
				if prev, dup := stored[id]; dup {
					c.errorf("record %v is stored twice: at %v and at %v", id, prev, here)
					continue
				}
				stored[id] = here
			}
			if len(r.Records) > 0 {
				empty = 0
			} else if r.MillisBehindLatest == 0 {
				break
			} else if empty++; empty > 1000 {
				c.errorf("shard %s: 1000 empty pages after %s, still %dms behind", sh.ShardId, last, r.MillisBehindLatest)
				break
			}
			it = r.NextShardIterator
		}
	}
	return stored
}

// replay reads the stream with Stream.Replay, which follows the shards'
// lineage, and checks that it yields the records GetRecords found, each
// key's in the order they were put.
func (c *crashCheck) replay(svc *kds.Service, stored map[crashRec]crashPlace) {
	s, ok := svc.Stream(crashStream)
	if !ok {
		c.errorf("stream %s is missing", crashStream)
		return
	}
	last := map[string]crashRec{}
	seen := 0
	for r, err := range s.Replay(ctx, kds.TrimHorizon()) {
		if err != nil {
			c.errorf("Replay after %d records: %v", seen, err)
			return
		}
		seen++
		id, err := parseCrashRecord(r)
		if err != nil {
			c.errorf("Replay: %v", err)
			continue
		}
		if pl, ok := stored[id]; !ok || pl.seq != r.SequenceNumber {
			c.errorf("Replay yields %v at %s; GetRecords found it at %v", id, r.SequenceNumber, pl)
		}
		if prev, ok := last[r.PartitionKey]; ok && (id.run < prev.run || id.run == prev.run && id.n <= prev.n) {
			c.errorf("key %s: Replay yields %v after %v", r.PartitionKey, id, prev)
		}
		last[r.PartitionKey] = id
	}
	if seen != len(stored) {
		c.errorf("Replay yields %d records, GetRecords %d", seen, len(stored))
	}
}

// acknowledged checks what is stored against what was acknowledged: every
// acknowledged record where it was acknowledged; of the others, only
// those of each producer's last call, which may have been in flight; and,
// in every shard, each run's numbers above those of the runs before it.
func (c *crashCheck) acknowledged(l *crashLedger, stored map[crashRec]crashPlace) {
	for id, want := range l.acked {
		if got, ok := stored[id]; !ok {
			c.errorf("acknowledged record %v (%v) is missing", id, want)
		} else if got != want {
			c.errorf("acknowledged record %v (%v) is stored at %v", id, want, got)
		}
	}
	for id, pl := range stored {
		if k := l.counts[[2]int{id.p, id.run}]; id.n >= k+crashMaxBatch {
			c.errorf("record %v is stored (%v) beyond the call in flight: its producer was acknowledged only %d", id, pl, k)
		}
	}
	type span struct{ first, last kds.SequenceNumber }
	spans := map[string]map[int]*span{} // per shard and run, the acknowledged numbers
	for id, pl := range l.acked {
		byRun := spans[pl.shard]
		if byRun == nil {
			byRun = map[int]*span{}
			spans[pl.shard] = byRun
		}
		if sp := byRun[id.run]; sp == nil {
			byRun[id.run] = &span{pl.seq, pl.seq}
		} else if pl.seq.Compare(sp.first) < 0 {
			sp.first = pl.seq
		} else if pl.seq.Compare(sp.last) > 0 {
			sp.last = pl.seq
		}
	}
	for shard, byRun := range spans {
		runs := slices.Sorted(maps.Keys(byRun))
		for i := 1; i < len(runs); i++ {
			if a, b := byRun[runs[i-1]], byRun[runs[i]]; b.first.Compare(a.last) <= 0 {
				c.errorf("shard %s: run %d was acknowledged %s, not above run %d's %s", shard, runs[i], b.first, runs[i-1], a.last)
			}
		}
	}
}

// iterators checks that every iterator the children printed recently
// still opens.
func (c *crashCheck) iterators(svc *kds.Service, l *crashLedger) {
	for _, tok := range l.tokens {
		if time.Since(tok.at) > crashTokenAge {
			continue
		}
		if _, err := svc.GetRecords(ctx, kds.GetRecordsInput{ShardIterator: tok.it, Limit: 1}); err != nil {
			c.errorf("an iterator issued at %s no longer opens: %v", tok.at.Format(time.StampMilli), err)
		}
	}
}
