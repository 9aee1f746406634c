package kinesisapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"github.com/fxamacker/cbor/v2"
)

// Content types Kinesis accepts. Answers use the request's own type.
const (
	contentTypeJSON11 = "application/x-amz-json-1.1"
	contentTypeJSON10 = "application/x-amz-json-1.0"
	contentTypeJSON   = "application/json"
	contentTypeCBOR   = "application/x-amz-cbor-1.1"
)

// codec reads request bodies and writes response bodies in one content
// type. Shapes carry json tags; the CBOR codec reads the same tags.
type codec interface {
	contentType() string
	// unmarshal decodes body into v; a body that does not fit v's shape
	// fails with a SerializationException.
	unmarshal(body []byte, v any) error
	// marshal appends v's encoding to dst.
	marshal(dst []byte, v any) ([]byte, error)
}

// codecFor returns the codec of a request's content type, or nil when
// Kinesis would not accept it.
func codecFor(contentType string) codec {
	switch contentType {
	case contentTypeJSON11, contentTypeJSON10, contentTypeJSON:
		return jsonCodec{ct: contentType}
	case contentTypeCBOR:
		return cborCodec{}
	}
	return nil
}

// jsonCodec is awsJson1.1 (and the 1.0 and plain JSON types Kinesis also
// takes).
type jsonCodec struct{ ct string }

func (c jsonCodec) contentType() string {
	if c.ct == "" {
		return contentTypeJSON11
	}
	return c.ct
}

func (jsonCodec) marshal(dst []byte, v any) ([]byte, error) { return appendJSON(dst, v) }

// appendJSON appends v as JSON, through its own appendJSON if it has one.
func appendJSON(dst []byte, v any) ([]byte, error) {
	if a, ok := v.(jsonAppender); ok {
		return a.appendJSON(dst), nil
	}
	b, err := json.Marshal(v)
	return append(dst, b...), err
}

func (jsonCodec) unmarshal(body []byte, v any) error {
	if f, ok := v.(fastJSONDecoder); ok {
		if f.decodeJSONFast(body) {
			return nil
		}
		resetShape(v)
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return serializationError(typeMismatch(te.Value, te.Type))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return serializationError("Unexpected character in the request body at offset " + fmt.Sprint(se.Offset))
	}
	return serializationError(err.Error())
}

// resetShape sets the shape v points to back to its zero value.
func resetShape(v any) {
	p := reflect.ValueOf(v).Elem()
	p.Set(reflect.Zero(p.Type()))
}

// typeMismatch words what encoding/json reports of a value of the wrong
// type: found is its name for what the body held ("string", "number",
// "bool", "object", "array"), want the Go type of the member.
func typeMismatch(found string, want reflect.Type) string {
	first := map[string]byte{"object": '{', "array": '[', "string": '"', "bool": 't'}[found]
	for want.Kind() == reflect.Pointer {
		want = want.Elem()
	}
	target := map[reflect.Kind]string{
		reflect.Int: "an Integer", reflect.Int32: "an Integer", reflect.Int64: "an Integer",
		reflect.Bool: "a Boolean", reflect.String: "a String",
		reflect.Struct: "a structure", reflect.Map: "a structure", reflect.Slice: "a list",
	}[want.Kind()]
	if target == "" {
		target = want.String()
	}
	return wrongType(first, target)
}

// wrongType words, as the Java service does, a JSON value of the wrong
// type where a member of type target ("an Integer", "a Blob") belongs;
// first is the value's first byte.
func wrongType(first byte, target string) string {
	javaClass := "java.lang.Double"
	switch first {
	case '{':
		return "Start of structure or map found where not expected."
	case '[':
		return "Start of list found where not expected"
	case '"':
		javaClass = "java.lang.String"
	case 't', 'f':
		javaClass = "java.lang.Boolean"
	}
	return "class " + javaClass + " can not be converted to " + target
}

// cborCodec is the CBOR variant the AWS SDK for Java uses by default.
type cborCodec struct{}

var (
	cborEnc = func() cbor.EncMode {
		m, err := cbor.EncOptions{}.EncMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
	cborDec = func() cbor.DecMode {
		m, err := cbor.DecOptions{
			MaxArrayElements: 1 << 20,
			MaxMapPairs:      1 << 20,
			// Kinesis's member names are case-sensitive.
			FieldNameMatching: cbor.FieldNameMatchingCaseSensitive,
		}.DecMode()
		if err != nil {
			panic(err)
		}
		return m
	}()
)

func (cborCodec) contentType() string { return contentTypeCBOR }

func (cborCodec) marshal(dst []byte, v any) ([]byte, error) {
	b, err := cborEnc.Marshal(v)
	return append(dst, b...), err
}

func (cborCodec) unmarshal(body []byte, v any) error {
	err := cborDec.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var te *cbor.UnmarshalTypeError
	if errors.As(err, &te) {
		return serializationError(te.Error())
	}
	return serializationError("Unable to parse the CBOR request body: " + err.Error())
}
