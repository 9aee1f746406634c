package delivery

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The namespaces of prefix expressions !{namespace:value}.
const (
	nsTimestamp     = "timestamp"
	nsFirehose      = "firehose"
	nsFromQuery     = "partitionKeyFromQuery"
	nsFromLambda    = "partitionKeyFromLambda"
	nsKinesis       = "kinesis"
	errorOutputType = "error-output-type"
	randomString    = "random-string"
	kinesisKey      = "partition-key"
)

// defaultTimePrefix is what Firehose adds to a prefix without
// expressions: the hour of the object's timestamp, as folders.
var defaultTimePrefix = timeFormat{
	{field: 'y', count: 4}, {literal: "/"}, {field: 'M', count: 2}, {literal: "/"},
	{field: 'd', count: 2}, {literal: "/"}, {field: 'H', count: 2}, {literal: "/"},
}

// prefix is a parsed Prefix or ErrorOutputPrefix.
type prefix struct {
	parts []prefixPart
	// keys are the partition keys the prefix uses ("namespace:name"),
	// each once, in order of first use.
	keys         []string
	hasErrorType bool
	hasExpr      bool
}

// prefixPart is a literal, a timestamp, a random string, the error
// output type, or a partition key (key "namespace:name").
type prefixPart struct {
	literal   string
	time      timeFormat
	random    bool
	errorType bool
	key       string
}

// parsePrefix parses a prefix and its !{namespace:value} expressions;
// see the package documentation for the supported ones. With hourly set
// (for Prefix, not ErrorOutputPrefix), a prefix without any expression
// gets Firehose's yyyy/MM/dd/HH/ appended.
func parsePrefix(s string, hourly bool) (*prefix, error) {
	p := &prefix{}
	rest := s
	for rest != "" {
		i := strings.Index(rest, "!{")
		if i < 0 {
			p.parts = append(p.parts, prefixPart{literal: rest})
			break
		}
		if i > 0 {
			p.parts = append(p.parts, prefixPart{literal: rest[:i]})
		}
		end := strings.IndexByte(rest[i:], '}')
		if end < 0 {
			return nil, fmt.Errorf("%q: unterminated expression %q", s, rest[i:])
		}
		part, err := parseExpression(rest[i+2 : i+end])
		if err != nil {
			return nil, fmt.Errorf("%q: %v", s, err)
		}
		p.hasExpr = true
		if part.errorType {
			p.hasErrorType = true
		}
		if part.key != "" && !slices.Contains(p.keys, part.key) {
			p.keys = append(p.keys, part.key)
		}
		p.parts = append(p.parts, part)
		rest = rest[i+end+1:]
	}
	if hourly && !p.hasExpr {
		p.parts = append(p.parts, prefixPart{time: defaultTimePrefix})
	}
	return p, nil
}

// parseExpression parses the inside of !{...}.
func parseExpression(e string) (prefixPart, error) {
	ns, value, ok := strings.Cut(e, ":")
	if !ok || value == "" {
		return prefixPart{}, fmt.Errorf("expression !{%s} is not !{namespace:value}", e)
	}
	switch {
	case ns == nsTimestamp:
		f, err := parseTimeFormat(value)
		if err != nil {
			return prefixPart{}, err
		}
		return prefixPart{time: f}, nil
	case ns == nsFirehose && value == randomString:
		return prefixPart{random: true}, nil
	case ns == nsFirehose && value == errorOutputType:
		return prefixPart{errorType: true}, nil
	case ns == nsFromQuery || ns == nsFromLambda:
		return prefixPart{key: e}, nil
	case ns == nsKinesis && value == kinesisKey:
		return prefixPart{key: e}, nil
	}
	return prefixPart{}, fmt.Errorf("unknown expression !{%s} (supported: timestamp:<pattern>, firehose:random-string, firehose:error-output-type, partitionKeyFromQuery:<key>, partitionKeyFromLambda:<key>, kinesis:partition-key)", e)
}

// errorPrefixFor returns Firehose's ErrorOutputPrefix for an empty one:
// the (expression-free) Prefix, the error output type as a folder, and
// the hour folders.
func errorPrefixFor(p string) *prefix {
	parts := []prefixPart{{errorType: true}, {literal: "/"}, {time: defaultTimePrefix}}
	if p != "" {
		parts = append([]prefixPart{{literal: p}}, parts...)
	}
	return &prefix{parts: parts, hasErrorType: true, hasExpr: true}
}

// relative reports whether keys made with p are relative paths that stay
// inside their root, as a DirectoryDestination needs them; partition
// values are checked record by record (see checkPartitionValue).
func (p *prefix) relative() bool {
	vals := map[string]string{}
	for _, k := range p.keys {
		vals[k] = "v"
	}
	key := p.eval(time.Unix(0, 0), vals, ErrorOutputProcessingFailed) + "name"
	return filepath.IsLocal(filepath.FromSlash(key))
}

// eval evaluates the prefix for an object whose timestamp is t, with the
// partition key values vals (by "namespace:name") and, for error output,
// the error output type.
func (p *prefix) eval(t time.Time, vals map[string]string, errType string) string {
	t = t.UTC()
	var b strings.Builder
	for _, part := range p.parts {
		switch {
		case part.time != nil:
			b.WriteString(part.time.format(t))
		case part.random:
			b.WriteString(randomChars(11))
		case part.errorType:
			b.WriteString(errType)
		case part.key != "":
			b.WriteString(vals[part.key])
		default:
			b.WriteString(part.literal)
		}
	}
	return b.String()
}

// randomChars returns n random lowercase letters and digits, as Firehose's
// !{firehose:random-string} gives.
func randomChars(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rand.IntN(len(alphabet))]
	}
	return string(b)
}
