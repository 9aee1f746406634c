package agent

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/kdsgo/kds/internal/jsontext"
)

// converter turns one record into another, or drops it (keep false).
type converter func(data []byte) (out []byte, keep bool)

// newConverter compiles one dataProcessingOptions entry.
func newConverter(o ProcessingOption) (converter, error) {
	switch o.OptionName {
	case SingleLine:
		return singleLine, nil
	case CSVToJSON:
		if len(o.CustomFieldNames) == 0 {
			return nil, errors.New("CSVTOJSON needs CustomFieldNames")
		}
		return csvToJSON(o.CustomFieldNames, o.Delimiter), nil
	case LogToJSON:
		return logToJSON(o.LogFormat, o.MatchPattern, o.CustomFieldNames)
	case "":
		return nil, errors.New("OptionName is empty")
	default:
		return nil, fmt.Errorf("OptionName %q is not SINGLELINE, CSVTOJSON or LOGTOJSON", o.OptionName)
	}
}

// singleLine joins the lines of a record into one: every line loses its
// leading and trailing white space (bytes up to ' ', as Java's trim) and
// its newline, and the result ends with one newline.
func singleLine(data []byte) ([]byte, bool) {
	out := make([]byte, 0, len(data)+1)
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		out = append(out, bytes.TrimFunc(line, func(r rune) bool { return r <= ' ' })...)
	}
	return append(out, '\n'), true
}

// body is a record without its line ending ("\n" or "\r\n").
func body(data []byte) string {
	s := string(data)
	s = strings.TrimSuffix(s, "\n")
	return strings.TrimSuffix(s, "\r")
}

// csvToJSON maps the delimited columns of a record onto names, in order:
// a missing column is null and extra columns are left out, as the Kinesis
// Agent does. Empty columns at the end of the line count as missing (the
// agent splits with Java's String.split, which drops them).
func csvToJSON(names []string, delim string) converter {
	if delim == "" {
		delim = ","
	}
	return func(data []byte) ([]byte, bool) {
		cols := strings.Split(body(data), delim)
		for len(cols) > 1 && cols[len(cols)-1] == "" {
			cols = cols[:len(cols)-1]
		}
		vals := make([]*string, len(names))
		for i := range names {
			if i < len(cols) {
				vals[i] = &cols[i]
			}
		}
		return appendJSONObject(nil, names, vals), true
	}
}

// Pieces of the LOGTOJSON formats' regular expressions, after the Kinesis
// Agent's (which are Grok's). Only the groups that become fields capture.
const (
	reInt       = `(?:[+-]?[0-9]+)`
	rePosInt    = `(?:[1-9][0-9]*)`
	reNonNegInt = `(?:[0-9]+)`
	reHostname  = `(?:[\w-]+(?:\.[\w-]+)*(?:\.?|\b))`
	reIPOrHost  = `(?:` + reHostname + `|[\d.]+)`
	reURIHost   = `(?:` + reIPOrHost + `(?::` + rePosInt + `)?)`
	reUser      = `(?:[a-zA-Z0-9._-]+)`
	reMonthDay  = `(?:0[1-9]|[12][0-9]|3[01]|[1-9])`
	reDay       = `(?:Mon(?:day)?|Tue(?:sday)?|Wed(?:nesday)?|Thu(?:rsday)?|Fri(?:day)?|Sat(?:urday)?|Sun(?:day)?)`
	reMonth     = `\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|Jun(?:e)?|Jul(?:y)?|Aug(?:ust)?|Sep(?:tember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b`
	reYear      = `(?:[1-9]\d*)`
	reTime      = `(?:(?:2[0123]|[01]?[0-9]):[0-5][0-9]:(?:[0-5]?[0-9]|60)(?:[:.,][0-9]+)?)`
	reHTTPDate  = `(?:` + reMonthDay + `/` + reMonth + `/` + reYear + `:` + reTime + `\s` + reInt + `)`
	reErrorTime = `(?:` + reDay + `\s+` + reMonth + `\s+` + reMonthDay + `\s+` + reTime + `\s+` + reYear + `)`
	reSyslogTS  = `(?:` + reMonth + `\s+` + reMonthDay + `\s+` + reTime + `)`
	reRFC3339   = `(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[-+]\d{2}:\d{2}))`
	reFacility  = `(?:<` + reNonNegInt + `.` + reNonNegInt + `> )?`
	reProgram   = `([\w._/%-]+)(?:\[(` + rePosInt + `)\])?`

	reCommonLog = `(` + reIPOrHost + `) (` + reUser + `) (` + reUser + `) \[(` + reHTTPDate + `)\] "([^"]+)" (` + reInt + `|-) (` + reInt + `|-)`
	reCombined  = reCommonLog + ` "([^"]+)" "([^"]+)"`
	reErrorLog  = `\[(` + reErrorTime + `)\] \[(?:(\w+):)?(\w+)\] \[pid (` + reNonNegInt + `)(?::tid (` + reNonNegInt + `))?\] \[client (` + reURIHost + `)\] (.*)`
	reSyslog    = `(` + reSyslogTS + `) ` + reFacility + `(` + reUser + `) ` + reProgram + `: (.*)`
	reRFCSyslog = `(` + reRFC3339 + `) ` + reFacility + `(` + reUser + `) ` + reProgram + `: (.*)`
)

// logFormat is one LOGTOJSON format: a pattern matching a whole record and
// its field names, one per group.
type logFormat struct {
	pattern string
	fields  []string
	// dashIsNull: a field that is just "-" is null (the Apache formats).
	dashIsNull bool
}

var logFormats = map[string]logFormat{
	// Common and combined logs may carry more after the known fields.
	CommonApacheLog:   {reCommonLog + `.*`, []string{"host", "ident", "authuser", "datetime", "request", "response", "bytes"}, true},
	CombinedApacheLog: {reCombined + `.*`, []string{"host", "ident", "authuser", "datetime", "request", "response", "bytes", "referer", "agent"}, true},
	ApacheErrorLog:    {reErrorLog, []string{"timestamp", "module", "severity", "processid", "threadid", "client", "message"}, true},
	Syslog:            {reSyslog, []string{"timestamp", "hostname", "program", "processid", "message"}, false},
	RFC3339Syslog:     {reRFCSyslog, []string{"timestamp", "hostname", "program", "processid", "message"}, false},
}

// logToJSON parses records of a log format into JSON objects. A record
// the pattern does not match is dropped, as the Kinesis Agent drops it.
// A group that did not take part in the match is null.
func logToJSON(format, matchPattern string, names []string) (converter, error) {
	f, ok := logFormats[format]
	if !ok {
		return nil, fmt.Errorf("LogFormat %q is not one of COMMONAPACHELOG, COMBINEDAPACHELOG, APACHEERRORLOG, SYSLOG, RFC3339SYSLOG", format)
	}
	pattern, fields := f.pattern, f.fields
	if matchPattern != "" {
		if len(names) == 0 {
			return nil, errors.New("MatchPattern needs CustomFieldNames")
		}
		pattern = matchPattern
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)$`)
	if err != nil {
		return nil, fmt.Errorf("MatchPattern: %v", err)
	}
	if len(names) > 0 {
		if len(names) != re.NumSubexp() {
			return nil, fmt.Errorf("CustomFieldNames has %d names for %d fields", len(names), re.NumSubexp())
		}
		fields = names
	}
	return func(data []byte) ([]byte, bool) {
		s := body(data)
		m := re.FindStringSubmatchIndex(s)
		if m == nil {
			return nil, false
		}
		vals := make([]*string, len(fields))
		for i := range fields {
			lo, hi := m[2*i+2], m[2*i+3]
			if lo < 0 {
				continue
			}
			v := s[lo:hi]
			if f.dashIsNull && v == "-" {
				continue
			}
			vals[i] = &v
		}
		return appendJSONObject(nil, fields, vals), true
	}, nil
}

// appendJSONObject appends {"name":value,...} and a newline; a nil value
// is null. Fields keep their order.
func appendJSONObject(dst []byte, names []string, vals []*string) []byte {
	dst = append(dst, '{')
	for i, n := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendString(dst, n)
		dst = append(dst, ':')
		if vals[i] == nil {
			dst = append(dst, "null"...)
		} else {
			dst = jsontext.AppendString(dst, *vals[i])
		}
	}
	return append(dst, '}', '\n')
}
