package kds

import (
	"cmp"
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kdsgo/kds/internal/jsontext"
)

// auditJSON returns an operation's input or output as the audit trail
// records it in requestParameters and responseElements: a JSON object of
// the fields that are set, each named as CloudTrail names API members (the
// member name with its first letter in lower case: StreamName becomes
// streamName, StreamARN streamARN). Byte slices are record payloads and are
// never written, nor are functions (SubscribeToShard's event stream). It
// returns nil, which a json.RawMessage writes as null, when no field is
// set.
func auditJSON(v any) json.RawMessage {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return nil
	}
	b, ok := appendAuditValue(nil, rv)
	if !ok || string(b) == "{}" {
		return nil
	}
	return b
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// appendAuditValue appends v as JSON. ok is false for values that are not
// recorded: byte slices, functions, channels and unsupported kinds.
func appendAuditValue(dst []byte, v reflect.Value) (_ []byte, ok bool) {
	t := v.Type()
	switch {
	case t == timeType:
		return jsontext.AppendString(dst, v.Interface().(time.Time).UTC().Format(time.RFC3339Nano)), true
	case t.Implements(textMarshalerType) && t.Kind() != reflect.String:
		text, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return dst, false
		}
		return jsontext.AppendString(dst, string(text)), true
	}
	switch t.Kind() {
	case reflect.String:
		return jsontext.AppendString(dst, v.String()), true
	case reflect.Bool:
		return strconv.AppendBool(dst, v.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.AppendInt(dst, v.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.AppendUint(dst, v.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		return strconv.AppendFloat(dst, v.Float(), 'g', -1, 64), true
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return dst, false
		}
		return appendAuditValue(dst, v.Elem())
	case reflect.Struct:
		return appendAuditStruct(dst, v), true
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return dst, false // a payload
		}
		dst = append(dst, '[')
		n := 0
		for i := range v.Len() {
			if n > 0 {
				dst = append(dst, ',')
			}
			var ok bool
			if dst, ok = appendAuditValue(dst, v.Index(i)); !ok {
				dst = append(dst, "null"...)
			}
			n++
		}
		return append(dst, ']'), true
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return dst, false
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return cmp.Compare(a.String(), b.String()) })
		dst = append(dst, '{')
		n := 0
		for _, k := range keys {
			mark := len(dst)
			if n > 0 {
				dst = append(dst, ',')
			}
			dst = jsontext.AppendString(dst, k.String())
			dst = append(dst, ':')
			var ok bool
			if dst, ok = appendAuditValue(dst, v.MapIndex(k)); !ok {
				dst = dst[:mark]
				continue
			}
			n++
		}
		return append(dst, '}'), true
	}
	return dst, false
}

// auditNames caches, by struct type, the JSON name of each field ("" for
// unexported ones).
var auditNames sync.Map // reflect.Type -> []string

// fieldNames returns the JSON names of struct type t's fields.
func fieldNames(t reflect.Type) []string {
	if names, ok := auditNames.Load(t); ok {
		return names.([]string)
	}
	names := make([]string, t.NumField())
	for i := range names {
		if f := t.Field(i); f.IsExported() {
			names[i] = lowerFirst(f.Name)
		}
	}
	auditNames.Store(t, names)
	return names
}

// appendAuditStruct appends the set, recorded fields of struct v as a
// JSON object, named in lower camel case.
func appendAuditStruct(dst []byte, v reflect.Value) []byte {
	dst = append(dst, '{')
	n := 0
	for i, name := range fieldNames(v.Type()) {
		fv := v.Field(i)
		if name == "" || fv.IsZero() {
			continue
		}
		mark := len(dst)
		if n > 0 {
			dst = append(dst, ',')
		}
		dst = jsontext.AppendString(dst, name)
		dst = append(dst, ':')
		var ok bool
		if dst, ok = appendAuditValue(dst, fv); !ok {
			dst = dst[:mark]
			continue
		}
		n++
	}
	return append(dst, '}')
}

// lowerFirst returns name with its first letter in lower case, as
// CloudTrail names request parameters.
func lowerFirst(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToLower(r)) + name[size:]
}
