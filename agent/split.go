package agent

import (
	"bytes"
	"regexp"
)

// splitter cuts the bytes of a file, in order, into pieces: records, and
// skipped bytes (header lines, the discarded rest of an over-long record).
// It keeps only the state that lies between two pieces, so the bytes not
// yet cut are the caller's to hold.
type splitter struct {
	start *regexp.Regexp // matches a line starting a record; nil: one per line
	max   int            // longest record; longer ones are cut here
	splitState
}

// splitState is what a splitter remembers between pieces; a checkpoint
// keeps it with the offset.
type splitState struct {
	HeaderLeft  int  `json:"headerLeft,omitempty"`  // header lines still to skip
	DiscardLine bool `json:"discardLine,omitempty"` // drop through the end of the current line
	DiscardRec  bool `json:"discardRec,omitempty"`  // then drop whole lines up to the next start line
}

// cut returns the length n of the next piece at the front of buf and
// whether it is a record (false: bytes to skip). ok is false when buf
// holds no complete piece yet. With final set the end of buf ends a
// record: nothing more will follow (or the caller stopped waiting).
func (s *splitter) cut(buf []byte, final bool) (n int, rec, ok bool) {
	if len(buf) == 0 {
		return 0, false, false
	}
	if s.HeaderLeft > 0 {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 && !final {
			return 0, false, false
		}
		s.HeaderLeft--
		if i < 0 {
			return len(buf), false, true
		}
		return i + 1, false, true
	}
	if s.DiscardLine {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			// Everything up to here belongs to the over-long line.
			return len(buf), false, true
		}
		s.DiscardLine = false
		return i + 1, false, true
	}
	if s.DiscardRec {
		// Drop whole lines until one starts a record.
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			if !final {
				return 0, false, false
			}
			if !s.start.Match(buf) {
				return len(buf), false, true
			}
		} else if !s.start.Match(buf[:i]) {
			return i + 1, false, true
		}
		s.DiscardRec = false
	}
	if s.start == nil {
		return s.cutLine(buf, final)
	}
	return s.cutMulti(buf, final)
}

// cutLine cuts one line.
func (s *splitter) cutLine(buf []byte, final bool) (int, bool, bool) {
	i := bytes.IndexByte(buf, '\n')
	switch {
	case i >= 0 && i+1 <= s.max:
		return i + 1, true, true
	case i >= 0 || len(buf) >= s.max:
		// The line is too long: keep its first max bytes.
		s.DiscardLine = buf[s.max-1] != '\n'
		return s.max, true, true
	case final:
		return len(buf), true, true
	}
	return 0, false, false
}

// cutMulti cuts one multi-line record: its first line, then every line up
// to the next line that starts a record.
func (s *splitter) cutMulti(buf []byte, final bool) (int, bool, bool) {
	end := -1 // end of the record, at the start of the next start line
	lineStart := bytes.IndexByte(buf, '\n') + 1
	complete := lineStart // end of the last complete line
	if lineStart > 0 {
		for lineStart < len(buf) {
			i := bytes.IndexByte(buf[lineStart:], '\n')
			if i < 0 {
				break
			}
			if s.start.Match(buf[lineStart : lineStart+i]) {
				end = lineStart
				break
			}
			lineStart += i + 1
			complete = lineStart
		}
	}
	switch {
	case end >= 0 && end <= s.max:
		return end, true, true
	case end >= 0 || complete > s.max:
		return s.cutLong(buf)
	case final:
		if len(buf) > s.max {
			return s.cutLong(buf)
		}
		return len(buf), true, true
	case len(buf) <= s.max:
		return 0, false, false
	case complete > 0 && s.start.Match(buf[complete:]):
		// An over-long line is on its way, and it starts the next record.
		return complete, true, true
	}
	return s.cutLong(buf)
}

// cutLong keeps the first max bytes of an over-long multi-line record and
// discards the rest of it.
func (s *splitter) cutLong(buf []byte) (int, bool, bool) {
	s.DiscardLine = buf[s.max-1] != '\n'
	s.DiscardRec = true
	return s.max, true, true
}
