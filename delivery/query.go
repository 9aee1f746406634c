package delivery

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// query is a parsed partition key query: a path into a JSON object, the
// subset of jq that Firehose's inline parsing is mostly used with.
//
//	.customer_id          a field (letters, digits and _, not starting with a digit)
//	.customer.id          a nested field
//	."customer id"        a field by its JSON-quoted name
//	.customer["id"]       the same, bracketed
//
// Pipes, functions, array indexes and everything else of jq are not
// supported. The value must be a string, a number (as written in the
// record) or a boolean; a missing field, null, an object or an array is
// an extraction failure.
type query struct {
	text string
	path []string
}

// parseQuery parses a partition key query.
func parseQuery(q string) (query, error) {
	s := strings.TrimSpace(q)
	bad := func(why string) (query, error) {
		return query{}, fmt.Errorf("query %q: %s (supported: .field, .a.b, .\"field\", .a[\"b\"])", q, why)
	}
	if !strings.HasPrefix(s, ".") {
		return bad("must start with '.'")
	}
	var path []string
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, `."`) || strings.HasPrefix(s, `["`):
			name, rest, err := cutJSONString(s[1:])
			if err != nil {
				return bad(err.Error())
			}
			if s[0] == '[' {
				if !strings.HasPrefix(rest, "]") {
					return bad("missing ']'")
				}
				rest = rest[1:]
			}
			path, s = append(path, name), rest
		case s[0] == '.':
			n := 1
			for n < len(s) && isIdentByte(s[n], n == 1) {
				n++
			}
			if n == 1 {
				return bad(fmt.Sprintf("no field name at %q", s))
			}
			path, s = append(path, s[1:n]), s[n:]
		default:
			return bad(fmt.Sprintf("unsupported syntax at %q", s))
		}
	}
	return query{text: q, path: path}, nil
}

// isIdentByte reports whether c may appear in a bare field name (first:
// at its start).
func isIdentByte(c byte, first bool) bool {
	return c == '_' || isASCIILetter(c) || !first && '0' <= c && c <= '9'
}

// cutJSONString reads the JSON string literal at the start of s and
// returns its value and the rest of s.
func cutJSONString(s string) (string, string, error) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			var v string
			if err := json.Unmarshal([]byte(s[:i+1]), &v); err != nil {
				return "", "", fmt.Errorf("bad quoted name %s", s[:i+1])
			}
			return v, s[i+1:], nil
		}
	}
	return "", "", errors.New("unterminated quoted name")
}

// parseJSON decodes a record's data for queries, keeping numbers as
// written.
func parseJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("data is not JSON: %v", err)
	}
	if d.More() {
		return nil, errors.New("data holds more than one JSON value")
	}
	return v, nil
}

// eval returns the query's value in doc, a value from parseJSON.
func (q query) eval(doc any) (string, error) {
	v := doc
	for _, name := range q.path {
		obj, ok := v.(map[string]any)
		if !ok {
			return "", fmt.Errorf("query %s: no object to take %q from", q.text, name)
		}
		if v, ok = obj[name]; !ok {
			return "", fmt.Errorf("query %s: no field %q", q.text, name)
		}
	}
	switch v := v.(type) {
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case bool:
		if v {
			return "true", nil
		}
		return "false", nil
	case nil:
		return "", fmt.Errorf("query %s: value is null", q.text)
	}
	return "", fmt.Errorf("query %s: value is not a string, number or boolean", q.text)
}
