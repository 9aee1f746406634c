package delivery

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeFormat is a parsed !{timestamp:...} pattern: the subset of Java's
// DateTimeFormatter patterns that Firehose prefixes use.
//
//	y, yyy, yyyy  year, padded to the letter count (yy: two digits)
//	M, MM         month of year
//	d, dd         day of month
//	H, HH         hour of day, 0-23
//	m, mm         minute
//	s, ss         second
//
// Other characters are copied; text in single quotes is copied as it is,
// and two single quotes make one. Other pattern letters (month names,
// week fields, zones, ...) and the reserved characters [ ] # { } are
// rejected.
type timeFormat []timePart

// timePart is a literal (field 0) or a field of count letters.
type timePart struct {
	field   byte
	count   int
	literal string
}

// parseTimeFormat parses a timestamp pattern.
func parseTimeFormat(p string) (timeFormat, error) {
	var (
		out timeFormat
		lit strings.Builder
	)
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, timePart{literal: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch {
		case c == '\'' && i+1 < len(p) && p[i+1] == '\'':
			lit.WriteByte('\'') // '' outside quoted text
			i += 2
		case c == '\'':
			i++
			for {
				if i >= len(p) {
					return nil, fmt.Errorf("timestamp pattern %q: unterminated quote", p)
				}
				if p[i] == '\'' {
					if i+1 < len(p) && p[i+1] == '\'' {
						lit.WriteByte('\'')
						i += 2
						continue
					}
					i++
					break
				}
				lit.WriteByte(p[i])
				i++
			}
		case isASCIILetter(c):
			n := 1
			for i+n < len(p) && p[i+n] == c {
				n++
			}
			if !supportedField(c, n) {
				return nil, fmt.Errorf("timestamp pattern %q: %q is not supported (y, yy, yyyy, M, MM, d, dd, H, HH, m, mm, s, ss)", p, strings.Repeat(string(c), n))
			}
			flush()
			out = append(out, timePart{field: c, count: n})
			i += n
		case strings.IndexByte("[]#{}", c) >= 0:
			return nil, fmt.Errorf("timestamp pattern %q: %q is reserved", p, c)
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if len(out) == 0 {
		return nil, fmt.Errorf("timestamp pattern is empty")
	}
	return out, nil
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// supportedField reports whether n repetitions of letter c are supported.
func supportedField(c byte, n int) bool {
	switch c {
	case 'y':
		return n <= 4
	case 'M', 'd', 'H', 'm', 's':
		return n <= 2
	}
	return false
}

// format formats t, which the caller has put in UTC.
func (f timeFormat) format(t time.Time) string {
	var b strings.Builder
	for _, p := range f {
		var v int
		switch p.field {
		case 0:
			b.WriteString(p.literal)
			continue
		case 'y':
			v = t.Year()
			if p.count == 2 {
				v %= 100
			}
		case 'M':
			v = int(t.Month())
		case 'd':
			v = t.Day()
		case 'H':
			v = t.Hour()
		case 'm':
			v = t.Minute()
		case 's':
			v = t.Second()
		}
		s := strconv.Itoa(v)
		for range p.count - len(s) {
			b.WriteByte('0')
		}
		b.WriteString(s)
	}
	return b.String()
}
