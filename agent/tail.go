package agent

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// readChunk is how many bytes one read takes from a file.
const readChunk = 64 << 10

// tracked is one file the agent follows, known by its identity rather
// than its name. Its fields belong to the polling goroutine, except q's
// contents, which are guarded by Agent.mu.
type tracked struct {
	path string
	id   fileID
	f    *os.File // nil once closed
	fp   fingerprint

	readOff int64  // the next byte to read
	buf     []byte // bytes read and not yet cut; they end at readOff
	split   splitter
	grew    time.Time // when buf last got bytes
	q       *queue

	gone   int      // polls in a row the pattern has not matched the file
	copyOf *tracked // set while the file is held as a copy of another
}

// fingerprint is a hash of a file's first n bytes, n at most
// FingerprintBytes.
type fingerprint struct {
	n   int
	sum [sha256.Size]byte
}

// full reports whether fp covers FingerprintBytes bytes; only then is it
// used to recognise a copy.
func (fp fingerprint) full() bool { return fp.n == FingerprintBytes }

// hashPrefix returns the fingerprint of the first n bytes of f (fewer if
// f is shorter).
func hashPrefix(f *os.File, n int) (fingerprint, error) {
	b := make([]byte, n)
	got, err := f.ReadAt(b, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return fingerprint{}, err
	}
	return fingerprint{n: got, sum: sha256.Sum256(b[:got])}, nil
}

// boundary is the file offset up to which t's bytes have been cut into
// pieces.
func (t *tracked) boundary() int64 { return t.readOff - int64(len(t.buf)) }

// newSplitter returns a splitter at the start of a file.
func (a *Agent) newSplitter(state splitState) splitter {
	return splitter{start: a.start, max: a.cfg.MaxRecordBytes, splitState: state}
}

// scan matches the pattern and brings the tracked files up to date: it
// notes the files that have gone, restarts the truncated ones and starts
// following new ones.
func (a *Agent) scan(ctx context.Context, now time.Time) []error {
	var errs []error
	paths, err := filepath.Glob(a.cfg.FilePattern)
	if err != nil {
		return []error{fmt.Errorf("agent: matching %q: %w", a.cfg.FilePattern, err)}
	}
	byID := make(map[fileID]*tracked, len(a.files))
	for _, t := range a.files {
		if t.f != nil {
			byID[t.id] = t
		}
	}
	seen := make(map[*tracked]bool, len(a.files))
	type candidate struct {
		path string
		id   fileID
	}
	var fresh []candidate
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("agent: %w", err))
			}
			continue
		}
		if fi.IsDir() {
			continue
		}
		id := idOf(fi, p)
		if t, ok := byID[id]; ok {
			if !seen[t] {
				t.path = p
				seen[t] = true
			}
			continue
		}
		if !slices.ContainsFunc(fresh, func(c candidate) bool { return c.id == id }) {
			fresh = append(fresh, candidate{p, id}) // hard links: the first name
		}
	}

	// Files that went away, and files truncated in place.
	var truncated []*tracked
	for _, t := range a.files {
		if t.f == nil {
			continue
		}
		if !seen[t] {
			if t.gone == 0 {
				a.count(func(s *Stats) { s.Gone++ })
			}
			t.gone++
			continue
		}
		t.gone = 0
		if t.copyOf != nil {
			continue
		}
		cut, err := a.checkTruncated(t)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if cut {
			truncated = append(truncated, t)
		}
	}

	// New files.
	known := len(a.files)
	for _, c := range fresh {
		t, err := a.open(c.path, known, byID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if t != nil {
			a.files = append(a.files, t)
		}
	}

	// Copies take over from the file they copy once it is truncated or
	// gone; a truncated file without a copy sends what it holds and starts
	// over.
	for _, t := range truncated {
		a.count(func(s *Stats) { s.Truncations++ })
		if c := a.copyOfFile(t); c != nil {
			c.takeOver(t)
		} else {
			a.cutAll(ctx, t, true)
		}
		t.readOff, t.buf = 0, nil
		t.split = a.newSplitter(splitState{HeaderLeft: a.cfg.SkipHeaderLines})
		t.q = &queue{state: t.split.splitState}
		if t.fp, err = hashPrefix(t.f, FingerprintBytes); err != nil {
			errs = append(errs, fmt.Errorf("agent: %s: %w", t.path, err))
		}
		a.markDirty()
	}
	for _, t := range a.files {
		if t.gone == 0 || t.f == nil {
			continue
		}
		if t.copyOf != nil {
			t.f.Close() // a copy that went away before its original
			t.f = nil
			continue
		}
		if c := a.copyOfFile(t); c != nil {
			c.takeOver(t)
			t.f.Close()
			t.f, t.q = nil, &queue{}
		}
	}
	return errs
}

// checkTruncated reports whether t's file got shorter than what was read
// or its first bytes changed, and extends t's fingerprint as it grows.
func (a *Agent) checkTruncated(t *tracked) (bool, error) {
	fi, err := t.f.Stat()
	if err != nil {
		return false, fmt.Errorf("agent: %w", err)
	}
	size := fi.Size()
	if size < t.readOff || size < int64(t.fp.n) {
		return true, nil
	}
	if t.fp.n > 0 {
		fp, err := hashPrefix(t.f, t.fp.n)
		if err != nil {
			return false, fmt.Errorf("agent: %s: %w", t.path, err)
		}
		if fp != t.fp {
			return true, nil
		}
	}
	if !t.fp.full() && size > int64(t.fp.n) {
		if t.fp, err = hashPrefix(t.f, FingerprintBytes); err != nil {
			return false, fmt.Errorf("agent: %s: %w", t.path, err)
		}
	}
	return false, nil
}

// open starts following the file at path and decides where to start
// reading it: at its checkpoint, held as a copy of one of the first known
// tracked files, at the initial position, or at its beginning. It returns
// nil if the file vanished or is followed already.
func (a *Agent) open(path string, known int, byID map[fileID]*tracked) (*tracked, error) {
	f, err := a.openFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("agent: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && fi.IsDir() {
		f.Close()
		return nil, nil
	}
	var fp fingerprint
	if err == nil {
		fp, err = hashPrefix(f, FingerprintBytes)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("agent: %s: %w", path, err)
	}
	t := &tracked{path: path, id: idOf(fi, path), f: f, fp: fp}
	if _, ok := byID[t.id]; ok {
		f.Close() // replaced by a file already followed since the scan
		return nil, nil
	}
	size := fi.Size()
	start, state := int64(0), splitState{HeaderLeft: a.cfg.SkipHeaderLines}
	cp, saved := a.saved[t.id]
	delete(a.saved, t.id) // matched: the file's own entry replaces it
	if saved && a.resumable(cp, t, size) {
		start, state = cp.Offset, cp.State
	} else if src := a.copySource(t, known); src != nil {
		t.copyOf = src
		a.count(func(s *Stats) { s.Copies++ })
	} else if !a.polled && !a.restarted && a.cfg.InitialPosition == EndOfFile && size > 0 {
		start, state = size, splitState{}
	}
	t.readOff = start
	t.split = a.newSplitter(state)
	t.q = &queue{committed: start, state: state}
	a.markDirty()
	return t, nil
}

// resumable reports whether checkpoint cp describes t's file as it is:
// the same first bytes, and at least as long as the checkpoint's offset.
func (a *Agent) resumable(cp fileCheckpoint, t *tracked, size int64) bool {
	fp, ok := cp.fingerprint()
	if !ok || size < cp.Offset || size < int64(fp.n) {
		return false
	}
	if fp.n == t.fp.n {
		return fp == t.fp
	}
	now, err := hashPrefix(t.f, fp.n)
	return err == nil && now == fp
}

// copySource returns the tracked file, among the first known, whose full
// fingerprint t's equals, or nil.
func (a *Agent) copySource(t *tracked, known int) *tracked {
	if !t.fp.full() {
		return nil
	}
	for _, s := range a.files[:known] {
		if s.f != nil && s.copyOf == nil && s.fp == t.fp {
			return s
		}
	}
	return nil
}

// copyOfFile returns the first file held as a copy of t, or nil. Other
// copies of t stop being copies and are read from where t had got to.
func (a *Agent) copyOfFile(t *tracked) *tracked {
	var first *tracked
	for _, c := range a.files {
		if c.copyOf != t || c.f == nil {
			continue
		}
		if first == nil {
			first = c
			continue
		}
		c.copyOf = nil
		c.readOff = t.boundary()
		c.split = a.newSplitter(t.split.splitState)
		c.q = &queue{committed: c.readOff, state: c.split.splitState}
	}
	return first
}

// takeOver makes c, a copy of t, carry on where t had got to: its read
// offset, its unsent bytes and its unconfirmed records.
func (c *tracked) takeOver(t *tracked) {
	c.copyOf = nil
	c.readOff, c.buf, c.grew = t.readOff, t.buf, t.grew
	c.split = t.split
	c.q = t.q
	t.buf = nil
}

// read reads what is new in t and sends its records. A file gone for a
// second poll is read to its end, its last record sent as it is, and
// closed.
func (a *Agent) read(ctx context.Context, t *tracked, now time.Time) error {
	var rerr error
	for !a.full() {
		t.buf = slices.Grow(t.buf, readChunk)
		n, err := t.f.ReadAt(t.buf[len(t.buf):len(t.buf)+readChunk], t.readOff)
		if n > 0 {
			t.buf = t.buf[:len(t.buf)+n]
			t.readOff += int64(n)
			t.grew = now
			a.count(func(s *Stats) { s.BytesRead += int64(n) })
			a.cutAll(ctx, t, false)
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				rerr = fmt.Errorf("agent: %s: %w", t.path, err)
			}
			break
		}
	}
	switch {
	case t.gone >= 2:
		if rerr == nil && !a.full() {
			a.cutAll(ctx, t, true)
			t.f.Close()
			t.f = nil
		}
	case len(t.buf) > 0 && a.cfg.IncompleteRecordTimeout > 0 && now.Sub(t.grew) >= a.cfg.IncompleteRecordTimeout:
		a.cutAll(ctx, t, true)
	}
	if len(t.buf) == 0 && cap(t.buf) > 4*readChunk {
		t.buf = nil
	}
	return rerr
}

// cutAll cuts t's buffered bytes into pieces and sends the records. With
// final set the end of the buffer ends a record.
func (a *Agent) cutAll(ctx context.Context, t *tracked, final bool) {
	pos := 0
	base := t.boundary()
	for {
		n, rec, ok := t.split.cut(t.buf[pos:], final)
		if !ok {
			break
		}
		end := base + int64(pos+n)
		if rec {
			a.emit(ctx, t, t.buf[pos:pos+n], end, t.split.splitState)
		} else {
			a.count(func(s *Stats) { s.SkippedBytes += int64(n) })
			a.skip(t, end, t.split.splitState)
		}
		pos += n
	}
	t.buf = t.buf[:copy(t.buf, t.buf[pos:])]
}

// reap forgets the closed files whose records are all confirmed.
func (a *Agent) reap() {
	a.mu.Lock()
	defer a.mu.Unlock()
	kept := a.files[:0]
	for _, t := range a.files {
		if t.f == nil && len(t.q.entries) == 0 {
			a.dirty = true
			continue
		}
		kept = append(kept, t)
	}
	clear(a.files[len(kept):])
	a.files = kept
	a.stats.Files = len(kept)
}

// count updates the stats.
func (a *Agent) count(f func(*Stats)) {
	a.mu.Lock()
	f(&a.stats)
	a.mu.Unlock()
}

// markDirty notes that the checkpoint file is out of date.
func (a *Agent) markDirty() {
	a.mu.Lock()
	a.dirty = true
	a.mu.Unlock()
}
