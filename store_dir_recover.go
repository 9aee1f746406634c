package kds

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/kdsgo/kds/internal/segfile"
)

// counterLeap is how far a shard's counter jumps when its directory was
// not closed cleanly. Records written but not yet synced may have been
// read (and their sequence numbers handed out) before a power failure
// took them; the leap keeps every later record's counter above theirs. No
// shard writes 2^32 records between syncs: a segment holds at most
// maxSegmentHeaders of them, and a log has at most a few files unsynced.
const counterLeap = 1 << 32

// openShard gives sh its log and recovers what the directory holds of
// it. A shard with no directory yet is new; its files are made when its
// first record arrives.
func (st *dirStore) openShard(streamID uint64, sh *shard) (shardLog, *shardRecovery, error) {
	l := &fileLog{st: st, dir: st.shardDir(streamID, sh), streamID: streamID, shard: sh.index, keys: st.keyTable(streamID), first: 1, sh: sh}
	st.logsMu.Lock()
	st.logs[l] = struct{}{}
	st.logsMu.Unlock()
	rec, err := l.recover(sh)
	if err != nil {
		st.logsMu.Lock()
		delete(st.logs, l)
		st.logsMu.Unlock()
		return nil, nil, fmt.Errorf("kds: data dir: shard %s of stream %d: %w", sh.id, streamID, err)
	}
	return l, rec, nil
}

// recover reads the shard's directory: a footer per sealed file, a scan
// of any file without one (the tail, or a file sealed just before a
// crash). It repairs what a crash left (cuts a torn tail back to its last
// whole frame, writes missing footers), reports damage without touching
// the damaged file, and leaves a header-only tail file at the next
// counter. It reads no sealed file's records.
func (l *fileLog) recover(sh *shard) (*shardRecovery, error) {
	entries, err := os.ReadDir(l.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var firsts []uint64
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), segmentFileExt); ok {
			if first, ok := parseHex(name); ok {
				firsts = append(firsts, first)
			}
		}
	}
	if len(firsts) == 0 {
		return nil, nil
	}
	slices.Sort(firsts)
	rec := &shardRecovery{}
	var empty []uint64 // header-only files
	end := uint64(0)   // counter after the newest record found
	for i, first := range firsts {
		next := uint64(0) // where the next file starts; 0 for the newest
		if i+1 < len(firsts) {
			next = firsts[i+1]
		}
		r, err := l.recoverFile(first, next)
		if err != nil {
			return nil, err
		}
		if r == nil {
			empty = append(empty, first)
			end = max(end, first)
			continue
		}
		rec.sealed = append(rec.sealed, r)
		end = max(end, r.end)
		rec.lastArrival = max(rec.lastArrival, r.lastArrival)
	}
	closed := sh.closure.Load()
	if closed != nil {
		rec.next = max(end, closed.end)
		return rec, nil
	}
	rec.next = end
	if !l.st.clean {
		rec.next += counterLeap
	}
	// The newest file must be a header-only file at the next counter, so
	// that the counter survives retention deleting every record.
	if len(empty) > 0 && empty[len(empty)-1] == rec.next {
		empty = empty[:len(empty)-1]
	} else {
		l.first = rec.next
		if err := l.openTail(); err != nil {
			return nil, err
		}
		if err := l.syncAll(); err != nil {
			return nil, err
		}
		l.f.Close()
		l.f, l.tail = nil, nil
	}
	l.first, l.created, l.size = rec.next, true, segfile.HeaderSize
	for _, first := range empty {
		if err := os.Remove(l.segmentPath(first)); err != nil {
			return nil, err
		}
	}
	return rec, nil
}

// recoverFile recovers one segment file: nil for a file with no records,
// else its sealed entry. next is the first counter of the next file, or
// 0 if this is the newest.
func (l *fileLog) recoverFile(first, next uint64) (*sealedSeg, error) {
	path := l.segmentPath(first)
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if foot, err := segfile.ReadFooter(f, info.Size()); err == nil && footerFits(foot, first, next, info.Size()) {
		return &sealedSeg{
			first: first, end: foot.End,
			firstArrival: foot.FirstArrival, lastArrival: foot.LastArrival,
			src: l,
		}, nil
	}
	// No footer: the file was still being written when the directory was
	// last closed or the process died. Read it all.
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	g, frames, good, serr := l.scanRecords(b, first, maxSegmentHeaders)
	records := recordCount(g)
	if _, herr := segfile.ParseFileHeader(b); herr != nil {
		if records > 0 || next != 0 && len(b) >= segfile.HeaderSize {
			// Records after a bad header: damage, not a crash. Its
			// range is what its frames hold, or up to the next file.
			end := first + records
			if records == 0 {
				end = next
			}
			return l.damaged(path, first, end, nil, herr, int64(len(b)), info.ModTime().UnixMilli()), nil
		}
		if next != 0 {
			return nil, nil // a creation cut short, with a later file: removed as empty
		}
		// The newest file, whose creation was cut short: it holds no
		// record. Make it a valid empty file again.
		l.problem("torn-tail", path, first, int64(len(b)), herr)
		hdr := segfile.AppendFileHeader(nil, segfile.FileHeader{Shard: l.shard, Stream: l.streamID, First: first})
		if err := f.Truncate(0); err != nil {
			return nil, err
		}
		if _, err := f.WriteAt(hdr, 0); err != nil {
			return nil, err
		}
		return nil, datasync(f)
	}
	// A sealed file (one was started after it) that fails its checksums
	// is damaged, unless all that is bad is a footer the crash cut short.
	tornFooter := int64(len(b))-good < segfile.FooterFrameSize+segfile.TrailerSize
	if serr != nil && next != 0 && !tornFooter {
		// Serve what comes before the damage.
		return l.damaged(path, first, next, g, serr, int64(len(b))-good, info.ModTime().UnixMilli()), nil
	}
	if serr != nil {
		// A torn tail: cut it back to its last whole frame.
		l.problem("torn-tail", path, first+records, int64(len(b))-good, serr)
		if err := f.Truncate(good); err != nil {
			return nil, err
		}
		b = b[:good]
	}
	if g == nil {
		return nil, datasync(f)
	}
	// Seal the file as it is: append its footer.
	foot := footerOf(g, frames)
	b = segfile.AppendFooter(b, foot, int64(len(b)))
	if _, err := f.WriteAt(b[good:], good); err != nil {
		return nil, err
	}
	if err := datasync(f); err != nil {
		return nil, err
	}
	r := &sealedSeg{
		first: first, end: foot.End,
		firstArrival: foot.FirstArrival, lastArrival: foot.LastArrival,
		src: l,
	}
	l.st.cache.insert(r, g) // read whole already
	return r, nil
}

// footerFits reports whether foot, read from the file of the segment
// starting at first (of size bytes, with the next file starting at next, or
// 0), describes such a segment. A footer that passes its checksum but not
// this is ignored, and the file scanned instead.
func footerFits(foot segfile.Footer, first, next uint64, size int64) bool {
	return foot.First == first && foot.Records > 0 && foot.Records <= maxSegmentHeaders &&
		foot.End == first+foot.Records && (next == 0 || foot.End <= next) &&
		foot.StoredBytes < uint64(size) && foot.FirstArrival <= foot.LastArrival
}

// damaged reports a sealed file that cannot be read whole and returns its
// entry, which covers the counters up to the next file's: reads get the
// readable prefix g (possibly nil), then an error naming the damage.
// Without a readable record, the file's modification time (Unix ms)
// stands for its records' arrival, for retention.
func (l *fileLog) damaged(path string, first, next uint64, g *segment, err error, bytes, mtime int64) *sealedSeg {
	r := &sealedSeg{first: first, end: next, src: l, firstArrival: mtime, lastArrival: mtime}
	from := first
	if g != nil {
		n := g.count.Load()
		r.firstArrival, r.lastArrival = g.headers[0].arrival, g.headers[n-1].arrival
		from = g.end()
	}
	l.problem("damaged-segment", path, from, bytes, err)
	return r
}

// problem reports a problem with one of the shard's files; from is the
// counter of the first record it concerns.
func (l *fileLog) problem(kind, path string, from uint64, bytes int64, err error) {
	l.st.reportOnce(StorageProblem{
		Kind: kind, Path: path, Stream: l.st.streamName(l.streamID), ShardID: l.sh.id,
		From: l.sh.sequenceNumber(from, 0), Bytes: bytes, Err: err.Error(),
	})
}
