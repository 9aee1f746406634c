package kds

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/kdsgo/kds/internal/atomicfile"
	"github.com/kdsgo/kds/internal/segfile"
)

// fileLog is one shard's journal in a data directory: one append-only
// file per segment, named by the segment's first counter. The newest file
// is the open tail's; it always exists once the shard has had a record,
// header-only until records arrive, so that the shard's next counter is
// on disk even after retention has removed every record.
//
// The writer methods (add, commit, seal, dropped) run under the shard's
// mu. Syncing runs outside it, under smu, one round at a time: a round
// syncs every file written since the last round, so puts that wait while
// a round runs share the next one (group commit).
type fileLog struct {
	st       *dirStore
	dir      string // the shard's directory
	streamID uint64
	shard    uint32
	keys     *dataKeyTable // the stream's data keys
	sh       *shard        // for sequence numbers in problem reports

	// Under the shard's mu.
	f       *os.File // the tail's file; nil until the next write opens it
	first   uint64   // first counter of the tail's file
	size    int64    // bytes in the tail's file
	created bool     // the tail's file exists
	frame   segfile.FrameBuilder
	open    bool     // frame has records
	key     *dataKey // data key of frame's records
	arrival int64    // arrival of frame's records
	staged  []byte   // finished frames not yet written
	frames  uint32   // records frames in the tail's file
	pos     int64    // bytes this log has written since it was opened

	smu     sync.Mutex
	written int64         // pos after the last write
	synced  int64         // pos up to which everything is durable
	round   chan struct{} // closed when the running round ends; nil if none
	tail    *os.File      // the writer's f, for the syncer
	dirty   []*os.File    // sealed files not yet synced; closed once synced
	dirSync bool          // a file was created since the directory was synced
	err     error         // the first sync failure; sticky
	closed  bool          // closeFiles has run: nothing more is synced

	// retired is set once the log's files may go away under it: its
	// stream was deleted, or it is a closed shard whose records expired.
	// Its I/O errors then fail its own writes, never the whole store.
	retired atomic.Bool
}

// errLogRetired is what writes to a retired log get.
var errLogRetired = errors.New("kds: the shard's stream was deleted")

// fail records err, an I/O error of this log, as the store's failure
// unless the log is retired, and returns the error its caller gets.
func (l *fileLog) fail(err error) error {
	if l.retired.Load() {
		return errLogRetired
	}
	return l.st.fail(err)
}

// segmentPath returns the path of the shard's file starting at first.
func (l *fileLog) segmentPath(first uint64) string {
	return filepath.Join(l.dir, formatHex(first)+segmentFileExt)
}

// add stages the record appendLocked just stored in g under header h.
func (l *fileLog) add(g *segment, h *recordHeader, dk *dataKey) {
	n := int(h.keyLen) + int(h.dataLen)
	if h.sealedBy != 0 {
		n += sealOverhead
	}
	stored := g.arena[h.off : int(h.off)+n]
	counter := g.end() - 1
	if !l.open || dk != l.key || h.arrival != l.arrival {
		l.finishFrame()
		var key *segfile.DataKey
		if dk != nil {
			key = &segfile.DataKey{KeyARN: dk.kmsKeyARN, Encrypted: dk.encrypted}
			l.keys.remember(dk)
		}
		l.frame.Reset(counter, h.arrival, key)
		l.open, l.key, l.arrival = true, dk, h.arrival
	}
	l.frame.Add(h.keyLen, h.dataLen, stored)
}

// finishFrame moves the frame being built, if any, to the staged bytes.
func (l *fileLog) finishFrame() {
	if l.open {
		l.staged = append(l.staged, l.frame.Finish()...)
		l.frames++
		l.open = false
	}
}

// commit writes the staged records to the tail's file. Under
// SyncEveryWrite the put then waits for a sync of everything written so
// far.
//
// A put's records may have been written by another put's commit, or a
// seal, since it staged them: then there is nothing to write, but it
// still waits for the log as far as it has been written, which covers
// them. If a write failed meanwhile (the store has failed, or the log is
// retired) the records may be lost, and the put fails.
func (l *fileLog) commit() (syncWait, error) {
	if err := l.usable(); err != nil {
		return syncWait{}, err
	}
	var err error
	if len(l.staged) == 0 && l.open {
		// The usual case, one frame: write it from the builder.
		err = l.write(l.frame.Finish())
		l.frames++
		l.open = false
	} else {
		l.finishFrame()
		if len(l.staged) > 0 {
			err = l.write(l.staged)
			l.staged = reuseStaged(l.staged)
		}
	}
	if err != nil {
		return syncWait{}, err
	}
	if l.st.policy.mode == syncEveryWrite {
		return syncWait{log: l, end: uint64(l.pos)}, nil
	}
	return syncWait{}, nil
}

// reuseStaged empties b for reuse, unless a large run made it big.
func reuseStaged(b []byte) []byte {
	if cap(b) > 1<<20 {
		return nil
	}
	return b[:0]
}

// usable returns why the log takes no more writes: the store has failed,
// or the log is retired. A put whose records were staged and then lost
// to a failed write finds out here.
func (l *fileLog) usable() error {
	if err := l.st.failure(); err != nil {
		return err
	}
	if l.retired.Load() {
		return errLogRetired
	}
	return nil
}

// write appends b to the tail's file, opening (or creating) it first. The
// caller has checked that the log is usable.
func (l *fileLog) write(b []byte) error {
	if l.f == nil {
		if err := l.openTail(); err != nil {
			return l.fail(err)
		}
	}
	if _, err := l.f.Write(b); err != nil {
		return l.fail(err)
	}
	l.size += int64(len(b))
	l.pos += int64(len(b))
	l.smu.Lock()
	l.written = l.pos
	l.smu.Unlock()
	return nil
}

// openTail opens the tail's file for appending, creating it (with its
// header, and the shard's directory) if it does not exist yet.
func (l *fileLog) openTail() error {
	path := l.segmentPath(l.first)
	if l.created {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			return err
		}
		l.f = f
		l.smu.Lock()
		l.tail = f
		l.smu.Unlock()
		return nil
	}
	if err := l.createDir(); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	hdr := segfile.AppendFileHeader(nil, segfile.FileHeader{Shard: l.shard, Stream: l.streamID, First: l.first})
	if _, err := f.Write(hdr); err != nil {
		f.Close()
		return err
	}
	l.f, l.created, l.size = f, true, int64(len(hdr))
	l.pos += int64(len(hdr))
	l.smu.Lock()
	l.tail, l.written, l.dirSync = f, l.pos, true
	l.smu.Unlock()
	return nil
}

// createDir creates the shard's directory the first time it is needed,
// and makes its entry durable.
func (l *fileLog) createDir() error {
	if _, err := os.Stat(l.dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return err
	}
	return atomicfile.SyncDir(filepath.Dir(l.dir))
}

// seal ends the tail's file: it writes the staged records and the footer,
// hands the file to the syncer, and creates the next, header-only file at
// g.end(). g is the sealed copy of the tail.
func (l *fileLog) seal(g *segment) (*sealedSeg, error) {
	l.finishFrame()
	if l.frames == 0 {
		return newSealedSeg(g), nil // nothing of it reached this log
	}
	if err := l.usable(); err != nil {
		return nil, err
	}
	foot := footerOf(g, l.frames)
	footerAt := l.size + int64(len(l.staged))
	if !l.created {
		footerAt += segfile.HeaderSize
	}
	l.staged = segfile.AppendFooter(l.staged, foot, footerAt)
	err := l.write(l.staged)
	l.staged = reuseStaged(l.staged)
	if err != nil {
		return nil, err
	}
	r := &sealedSeg{
		first: foot.First, end: foot.End,
		firstArrival: foot.FirstArrival, lastArrival: foot.LastArrival,
		src: l,
	}
	// The sealed file goes to the syncer (which syncs and closes it) in
	// the same step that takes it off the tail, so that no sync round
	// can miss it.
	l.smu.Lock()
	l.dirty, l.tail = append(l.dirty, l.f), nil
	l.smu.Unlock()
	l.f, l.created, l.size = nil, false, 0
	l.first, l.frames = g.end(), 0
	err = l.openTail()
	// The new, header-only file goes to the syncer too; the next write
	// opens it again, so a closed shard keeps no file open.
	l.smu.Lock()
	if l.f != nil {
		l.dirty, l.tail = append(l.dirty, l.f), nil
	}
	l.smu.Unlock()
	l.f = nil
	if err != nil {
		return nil, l.fail(err)
	}
	l.st.cache.insert(r, g)
	return r, nil
}

// footerOf returns the footer of a file holding g's records in frames
// frames.
func footerOf(g *segment, frames uint32) segfile.Footer {
	n := g.count.Load()
	foot := segfile.Footer{
		First: g.first, End: g.end(), Records: uint64(n), Frames: frames,
		FirstArrival: g.headers[0].arrival, LastArrival: g.headers[n-1].arrival,
	}
	for _, h := range g.headers[:n] {
		foot.StoredBytes += uint64(h.keyLen) + uint64(h.dataLen)
		if h.sealedBy != 0 {
			foot.StoredBytes += sealOverhead
		}
	}
	return foot
}

// dropped deletes, in the background, the files of segments retention
// has removed, and the directory of a closed shard left with no records.
func (l *fileLog) dropped(rs []*sealedSeg) {
	paths := make([]string, len(rs))
	for i, r := range rs {
		r.gone.Store(true)
		l.st.cache.remove(r)
		paths[i] = l.segmentPath(r.first)
	}
	closed := l.sh.closure.Load() != nil
	l.st.background(func() {
		for _, path := range paths {
			if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
				l.st.report(StorageProblem{Kind: "write-failed", Path: path, Err: err.Error()})
			}
		}
		if closed && !l.holdsRecords() {
			// Nothing of the closed shard is left to keep, not even
			// its counter.
			l.retired.Store(true)
			os.RemoveAll(l.dir)
		}
	})
}

// holdsRecords reports whether any of the shard's files is more than a
// header (or cannot be listed).
func (l *fileLog) holdsRecords() bool {
	entries, err := os.ReadDir(l.dir)
	if err != nil {
		return !errors.Is(err, os.ErrNotExist)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || info.Size() > segfile.HeaderSize {
			return true
		}
	}
	return false
}

// waitDurable waits until the log's bytes before pos are on stable
// storage, by joining the sync round that is running (and then, if that
// did not cover pos, the next) or running one itself.
func (l *fileLog) waitDurable(pos uint64) error {
	return l.syncUpTo(int64(pos))
}

// syncUpTo makes the log durable up to position pos.
func (l *fileLog) syncUpTo(pos int64) error {
	l.smu.Lock()
	defer l.smu.Unlock()
	for l.synced < pos && l.err == nil {
		if l.closed {
			return errLogRetired
		}
		if ch := l.round; ch != nil {
			l.smu.Unlock()
			<-ch
			l.smu.Lock()
			continue
		}
		l.runRoundLocked(true)
	}
	return l.err
}

// runRoundLocked syncs every file written since the last round; the
// caller holds smu, which is released while the files are synced.
func (l *fileLog) runRoundLocked(withTail bool) {
	ch := make(chan struct{})
	l.round = ch
	target, files, dir, tail := l.written, l.dirty, l.dirSync, l.tail
	l.dirty, l.dirSync = nil, false
	if !withTail {
		tail = nil
	}
	l.smu.Unlock()
	l.st.rounds.Add(1)
	err := syncFiles(files, tail, dir, l.dir)
	for _, f := range files {
		f.Close()
	}
	l.smu.Lock()
	switch {
	case err == nil:
		if withTail {
			l.synced = max(l.synced, target)
		}
	case errors.Is(err, os.ErrClosed) || l.retired.Load():
		// The files were closed or removed under the round (Close, or
		// the stream's deletion): nothing is synced, nothing has failed.
		l.closed = true
	case l.err == nil:
		l.err = l.st.fail(err) // a failed sync is never retried
	}
	l.round = nil
	close(ch)
}

// syncFiles syncs the sealed files, the tail's (unless nil) and, if dir is
// set, the shard's directory.
func syncFiles(sealed []*os.File, tail *os.File, dir bool, dirPath string) error {
	for _, f := range sealed {
		if err := syncFile(f); err != nil {
			return err
		}
	}
	if tail != nil {
		if err := syncFile(tail); err != nil {
			return err
		}
	}
	if dir {
		return atomicfile.SyncDir(dirPath)
	}
	return nil
}

// testHookSynced, if set (by tests only), learns the size each segment
// file had when a sync of it began, once the sync has succeeded: every
// byte below it is on stable storage.
var testHookSynced func(path string, size int64)

// syncFile syncs f.
func syncFile(f *os.File) error {
	if testHookSynced == nil {
		return datasync(f)
	}
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if err := datasync(f); err != nil {
		return err
	}
	testHookSynced(f.Name(), info.Size())
	return nil
}

// syncBackground is the syncer's periodic work on this log: a round over
// everything written (withTail, under SyncInterval) or over the sealed
// files only. It skips a log whose round is running.
func (l *fileLog) syncBackground(withTail bool) {
	l.smu.Lock()
	defer l.smu.Unlock()
	if l.round == nil && l.err == nil && !l.closed && (withTail && l.written > l.synced || len(l.dirty) > 0 || l.dirSync) {
		l.runRoundLocked(withTail)
	}
}

// writtenPos returns how far the log has written.
func (l *fileLog) writtenPos() int64 {
	l.smu.Lock()
	defer l.smu.Unlock()
	return l.written
}

// syncAll makes everything the log wrote durable.
func (l *fileLog) syncAll() error {
	return l.syncUpTo(l.writtenPos())
}

// closeFiles closes the log's files. The shard must take no more writes:
// its stream is gone, or the store is closed.
func (l *fileLog) closeFiles() {
	l.smu.Lock()
	defer l.smu.Unlock()
	for l.round != nil {
		ch := l.round
		l.smu.Unlock()
		<-ch
		l.smu.Lock()
	}
	for _, f := range l.dirty {
		f.Close()
	}
	l.dirty = nil
	if l.tail != nil {
		l.tail.Close()
		l.tail = nil
	}
	l.closed = true
}
