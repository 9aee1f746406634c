package kds

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds/internal/atomicfile"
	"github.com/kdsgo/kds/internal/metafile"
)

// dirStore keeps a Service's state in a data directory (see [WithDataDir]):
//
//	DIR/LOCK                  held (flock) while a Service has DIR open
//	DIR/CLEAN                 present only between a clean Close and the next open
//	DIR/service.json          the Service's own state (serviceMeta)
//	DIR/keys.json             its KeyService's keys (keysMeta), mode 0600
//	DIR/streams/<id>/stream.json             a stream's metadata (streamMeta)
//	DIR/streams/<id>/shardId-…/<first>.seg   a shard's segment files
//
// Metadata files are replaced whole (internal/atomicfile) inside a
// checksummed envelope (internal/metafile). Records go to one append-only
// file per segment (store_dir_log.go), in the format of internal/segfile;
// sealed segments are read back on demand through a bounded cache
// (store_dir_cache.go); store_dir_recover.go rebuilds a shard's log when
// the directory is opened.
type dirStore struct {
	dir    string
	policy SyncPolicy
	lock   *os.File // holds the directory's flock
	clean  bool     // the last Service to have the directory closed it
	cache  *segmentCache

	metaMu sync.Mutex // serialises metadata writes

	failed   atomic.Pointer[error] // the first write or sync failure
	probMu   sync.Mutex
	probs    []StorageProblem
	reported map[string]bool // paths reportOnce has reported

	logsMu sync.Mutex
	logs   map[*fileLog]struct{} // every shard log, for the syncer and close
	keys   map[uint64]*dataKeyTable
	names  map[uint64]string // stream names by id, for problem reports

	rounds atomic.Int64 // sync rounds run, for tests and benchmarks

	bgMu      sync.Mutex
	bgQueue   []func()       // file removals, in the order asked for
	bgRunning bool           // a goroutine is working through bgQueue
	bg        sync.WaitGroup // that goroutine
	bgDone    bool           // close is waiting for bg: queue no more
	closing   chan struct{}
	syncerOut chan struct{} // closed when the background syncer has stopped
	closeOnce sync.Once
	closeErr  error
}

// Names inside a data directory.
const (
	lockFileName    = "LOCK"
	cleanFileName   = "CLEAN"
	serviceFileName = "service.json"
	keysFileName    = "keys.json"
	streamsDirName  = "streams"
	streamFileName  = "stream.json"
	segmentFileExt  = ".seg"
	deletedSuffix   = ".deleted" // a dropped stream's directory while it is removed
)

// openDirStore opens (creating if need be) the data directory c names and
// takes its lock.
func openDirStore(c config) (store, error) {
	dir := c.dataDir
	if err := os.MkdirAll(filepath.Join(dir, streamsDirName), 0o755); err != nil {
		return nil, fmt.Errorf("kds: data dir: %w", err)
	}
	lock, err := lockDir(filepath.Join(dir, lockFileName))
	if err != nil {
		return nil, fmt.Errorf("kds: data dir %s: %w", dir, err)
	}
	st := &dirStore{
		dir:     dir,
		policy:  c.sync,
		lock:    lock,
		cache:   newSegmentCache(c.cacheBytes),
		logs:    make(map[*fileLog]struct{}),
		keys:    make(map[uint64]*dataKeyTable),
		names:   make(map[uint64]string),
		closing: make(chan struct{}),
	}
	clean := filepath.Join(dir, cleanFileName)
	if _, err := os.Stat(clean); err == nil {
		st.clean = true
		// From here on the directory is not clean until Close says so.
		if err := os.Remove(clean); err != nil {
			lock.Close()
			return nil, fmt.Errorf("kds: data dir: %w", err)
		}
		if err := atomicfile.SyncDir(dir); err != nil {
			lock.Close()
			return nil, fmt.Errorf("kds: data dir: %w", err)
		}
	}
	st.syncerOut = make(chan struct{})
	go st.syncer()
	return st, nil
}

// load reads the metadata files.
func (st *dirStore) load() (*storedState, error) {
	state := &storedState{}
	svcMeta := new(serviceMeta)
	switch ok, err := st.readMeta(filepath.Join(st.dir, serviceFileName), svcMeta); {
	case err != nil:
		return nil, err
	case !ok:
		return nil, st.removeTemps(st.dir) // a new directory
	}
	state.service = svcMeta
	keys := new(keysMeta)
	if ok, err := st.readMeta(filepath.Join(st.dir, keysFileName), keys); err != nil {
		return nil, err
	} else if ok {
		state.keys = keys
	}
	entries, err := os.ReadDir(filepath.Join(st.dir, streamsDirName))
	if err != nil {
		return nil, fmt.Errorf("kds: data dir: %w", err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), deletedSuffix) {
			os.RemoveAll(filepath.Join(st.dir, streamsDirName, e.Name())) // a drop cut short
			continue
		}
		id, ok := parseHex(e.Name())
		if !ok || !e.IsDir() {
			continue
		}
		dir := st.streamDir(id)
		if err := st.removeTemps(dir); err != nil {
			return nil, err
		}
		m := new(streamMeta)
		ok, err := st.readMeta(filepath.Join(dir, streamFileName), m)
		if err == nil && !ok {
			// A CreateStream cut short between making the directory and
			// saving the metadata: it was never acknowledged, and no
			// record can have reached the stream.
			os.RemoveAll(dir)
			continue
		}
		if err == nil && m.ID != id {
			err = fmt.Errorf("stream.json has id %d", m.ID)
		}
		if err != nil {
			st.report(StorageProblem{Kind: "damaged-metadata", Path: dir, Err: err.Error()})
			continue
		}
		state.streams = append(state.streams, m)
		st.names[m.ID] = m.Name
	}
	sort.Slice(state.streams, func(i, j int) bool { return state.streams[i].ID < state.streams[j].ID })
	return state, st.removeTemps(st.dir)
}

// readMeta decodes the metadata file at path into v; ok is false if there
// is no such file.
func (st *dirStore) readMeta(path string, v any) (ok bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("kds: data dir: %w", err)
	}
	body, err := metafile.Decode(b)
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		return false, fmt.Errorf("kds: data dir: %s: %w", path, err)
	}
	return true, nil
}

// writeMeta replaces the metadata file at path with v.
func (st *dirStore) writeMeta(path string, v any, mode os.FileMode) error {
	if err := st.failure(); err != nil {
		return err
	}
	body, err := json.Marshal(v)
	if err != nil {
		return err // a bug: metadata always encodes
	}
	st.metaMu.Lock()
	defer st.metaMu.Unlock()
	if err := atomicfile.Write(path, metafile.Encode(body)); err != nil {
		return st.fail(err)
	}
	if mode != 0 {
		if err := os.Chmod(path, mode); err != nil {
			return st.fail(err)
		}
	}
	return nil
}

func (st *dirStore) saveService(m *serviceMeta) error {
	return st.writeMeta(filepath.Join(st.dir, serviceFileName), m, 0)
}

func (st *dirStore) saveKeys(m *keysMeta) error {
	return st.writeMeta(filepath.Join(st.dir, keysFileName), m, 0o600)
}

func (st *dirStore) saveStream(m *streamMeta) error {
	st.logsMu.Lock()
	st.names[m.ID] = m.Name
	st.logsMu.Unlock()
	dir := st.streamDir(m.ID)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		if err := os.Mkdir(dir, 0o755); err != nil {
			return st.fail(err)
		}
		if err := atomicfile.SyncDir(filepath.Dir(dir)); err != nil {
			return st.fail(err)
		}
	}
	return st.writeMeta(filepath.Join(dir, streamFileName), m, 0)
}

// dropStream removes a deleted stream's files, in the background. Its
// logs are retired first, so that a put that raced the deletion fails
// alone. The directory is renamed before it is removed, so that a crash
// part way leaves no stream.json behind (open removes what is left).
func (st *dirStore) dropStream(id uint64) {
	var logs []*fileLog
	st.logsMu.Lock()
	for l := range st.logs {
		if l.streamID == id {
			l.retired.Store(true)
			logs = append(logs, l)
			delete(st.logs, l)
		}
	}
	delete(st.keys, id)
	st.logsMu.Unlock()
	st.background(func() {
		for _, l := range logs {
			l.closeFiles()
		}
		dir := st.streamDir(id)
		trash := dir + deletedSuffix
		if err := os.Rename(dir, trash); err == nil {
			os.RemoveAll(trash)
		}
	})
}

// waitBackground waits for the background work, and makes any more run
// at once.
func (st *dirStore) waitBackground() {
	st.bgMu.Lock()
	st.bgDone = true
	st.bgMu.Unlock()
	st.bg.Wait()
}

// background runs f on the store's background goroutine, after the work
// queued before it; close waits for it. Once close has begun, f runs at
// once instead.
func (st *dirStore) background(f func()) {
	st.bgMu.Lock()
	if st.bgDone {
		st.bgMu.Unlock()
		f()
		return
	}
	st.bgQueue = append(st.bgQueue, f)
	if !st.bgRunning {
		st.bgRunning = true
		st.bg.Add(1)
		go st.runBackground()
	}
	st.bgMu.Unlock()
}

// runBackground runs the queued work in order until the queue is empty.
func (st *dirStore) runBackground() {
	defer st.bg.Done()
	for {
		st.bgMu.Lock()
		if len(st.bgQueue) == 0 {
			st.bgRunning = false
			st.bgMu.Unlock()
			return
		}
		f := st.bgQueue[0]
		st.bgQueue = st.bgQueue[1:]
		st.bgMu.Unlock()
		f()
	}
}

// streamDir returns the directory of the stream with the given id.
func (st *dirStore) streamDir(id uint64) string {
	return filepath.Join(st.dir, streamsDirName, formatHex(id))
}

// shardDir returns the directory of a shard's segment files.
func (st *dirStore) shardDir(streamID uint64, sh *shard) string {
	return filepath.Join(st.streamDir(streamID), sh.id)
}

func (st *dirStore) failure() error {
	if p := st.failed.Load(); p != nil {
		return *p
	}
	return nil
}

// fail records err as the store's failure, unless one came first, and
// returns the store's failure.
func (st *dirStore) fail(err error) error {
	if st.failed.CompareAndSwap(nil, &err) {
		st.report(StorageProblem{Kind: "write-failed", Path: st.dir, Err: err.Error()})
	}
	return st.failure()
}

// report records a problem for StorageProblems.
func (st *dirStore) report(p StorageProblem) {
	st.probMu.Lock()
	st.probs = append(st.probs, p)
	st.probMu.Unlock()
}

// reportOnce records a problem with a file unless one was recorded for it.
func (st *dirStore) reportOnce(p StorageProblem) {
	st.probMu.Lock()
	defer st.probMu.Unlock()
	if !st.reported[p.Path] {
		if st.reported == nil {
			st.reported = make(map[string]bool)
		}
		st.reported[p.Path] = true
		st.probs = append(st.probs, p)
	}
}

func (st *dirStore) problems() []StorageProblem {
	st.probMu.Lock()
	defer st.probMu.Unlock()
	return append([]StorageProblem(nil), st.probs...)
}

// streamName returns the name of the stream with the given id.
func (st *dirStore) streamName(id uint64) string {
	st.logsMu.Lock()
	defer st.logsMu.Unlock()
	return st.names[id]
}

// keyTable returns the table of a stream's data keys.
func (st *dirStore) keyTable(streamID uint64) *dataKeyTable {
	st.logsMu.Lock()
	defer st.logsMu.Unlock()
	t := st.keys[streamID]
	if t == nil {
		t = new(dataKeyTable)
		st.keys[streamID] = t
	}
	return t
}

// errStoreClosed is the failure of a store after Close: writes are refused.
var errStoreClosed = errors.New("kds: service closed")

// close syncs every log, marks the directory clean and releases it.
func (st *dirStore) close() error {
	st.closeOnce.Do(func() {
		close(st.closing)
		<-st.syncerOut
		st.waitBackground()
		failedBefore := st.failure()
		st.fail(errStoreClosed)
		logs := st.allLogs()
		var errs []error
		for _, l := range logs {
			errs = append(errs, l.syncAll())
			l.closeFiles()
		}
		err := errors.Join(errs...)
		if err == nil && failedBefore == nil {
			err = atomicfile.Write(filepath.Join(st.dir, cleanFileName), nil)
		}
		st.closeErr = errors.Join(err, st.lock.Close())
	})
	return st.closeErr
}

// allLogs returns the store's shard logs.
func (st *dirStore) allLogs() []*fileLog {
	st.logsMu.Lock()
	defer st.logsMu.Unlock()
	return slices.Collect(maps.Keys(st.logs))
}

// syncer is the store's background goroutine: under SyncInterval it
// syncs every log with unsynced records each interval; under the other
// policies it syncs the files of sealed segments about once a second.
func (st *dirStore) syncer() {
	defer close(st.syncerOut)
	every := time.Second
	if st.policy.mode == syncInterval {
		every = st.policy.interval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-st.closing:
			return
		case <-t.C:
		}
		logs := st.allLogs()
		for _, l := range logs {
			l.syncBackground(st.policy.mode == syncInterval)
		}
	}
}

// removeTemps deletes what atomicfile left behind in dir after a crash.
func (st *dirStore) removeTemps(dir string) error {
	if err := atomicfile.RemoveTemps(dir); err != nil {
		return fmt.Errorf("kds: data dir: %w", err)
	}
	return nil
}

// formatHex and parseHex name directories and segment files: 16
// lower-case hex digits, so that names sort as their numbers do.
func formatHex(n uint64) string { return fmt.Sprintf("%016x", n) }

func parseHex(s string) (uint64, bool) {
	if len(s) != 16 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 16, 64)
	return n, err == nil
}
