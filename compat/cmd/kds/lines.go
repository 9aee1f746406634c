package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// lineReader reads lines of at most limit bytes, without their "\n" or
// "\r\n", and numbers them from 1.
type lineReader struct {
	r     *bufio.Reader
	limit int
	num   int
}

func newLineReader(r io.Reader, limit int) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), limit: limit}
}

// next returns the next line and its number. A line longer than the
// limit is an error naming it; io.EOF ends the input.
func (lr *lineReader) next() ([]byte, int, error) {
	var line []byte
	for {
		chunk, err := lr.r.ReadSlice('\n')
		if len(line)+len(chunk) > lr.limit+2 { // room for "\r\n"
			lr.num++
			return nil, lr.num, fmt.Errorf("line %d: longer than %d bytes, the most a record holds", lr.num, lr.limit)
		}
		line = append(line, chunk...)
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil && (err != io.EOF || len(line) == 0):
			return nil, lr.num, err
		}
		lr.num++
		line = bytes.TrimSuffix(line, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) > lr.limit {
			return nil, lr.num, fmt.Errorf("line %d: %d bytes, more than the %d a record holds", lr.num, len(line), lr.limit)
		}
		return line, lr.num, nil
	}
}
