package kinesisapi

import (
	"errors"
	"net/http"

	"github.com/kdsgo/kds"
)

// apiError is an error as the wire carries it: an HTTP status, the
// exception name that becomes the body's __type, and a message.
type apiError struct {
	Status  int
	Type    string
	Message string
	// capitalMessage writes the message under "Message", as Kinesis does
	// for SerializationException, instead of "message".
	capitalMessage bool
}

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

// withStatus returns a copy of e answered with another HTTP status.
func (e *apiError) withStatus(status int) *apiError {
	c := *e
	c.Status = status
	return &c
}

// Protocol errors: what Kinesis answers before an operation runs.
var (
	errAccessDeniedNoOperation = &apiError{Status: http.StatusForbidden, Type: "AccessDeniedException",
		Message: "Unable to determine service/operation name to be authorized"}
	errUnknownOperation           = &apiError{Status: http.StatusBadRequest, Type: "UnknownOperationException"}
	errMissingAuthenticationToken = &apiError{Status: http.StatusBadRequest, Type: "MissingAuthenticationTokenException",
		Message: "Missing Authentication Token"}
	errEmptyBody = &apiError{Status: http.StatusBadRequest, Type: "SerializationException",
		Message: "The request body is empty; every operation takes an object, {} at least", capitalMessage: true}
	errRequestTooLarge = &apiError{Status: http.StatusRequestEntityTooLarge, Type: "SerializationException",
		Message: "Request body is larger than the service accepts", capitalMessage: true}
)

// serializationError is the SerializationException Kinesis answers for a
// body it cannot read as the operation's input shape.
func serializationError(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Type: "SerializationException", Message: msg, capitalMessage: true}
}

// toAPIError maps an operation's error to what the wire answers: a
// [kds.Error] keeps its exception name and message with status 400 (every
// Kinesis exception is a client fault); anything else is a 500
// InternalFailure.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ke *kds.Error
	if errors.As(err, &ke) {
		return &apiError{Status: http.StatusBadRequest, Type: ke.Code, Message: ke.Message}
	}
	if isContextError(err) {
		return &apiError{Status: http.StatusServiceUnavailable, Type: "ServiceUnavailable", Message: err.Error()}
	}
	return &apiError{Status: http.StatusInternalServerError, Type: "InternalFailure", Message: err.Error()}
}

// errorBody is the JSON (or CBOR) body of an error response.
type errorBody struct {
	Type           string `json:"__type"`
	Message        string `json:"message,omitempty"`
	CapitalMessage string `json:"Message,omitempty"`
}

// writeError answers e in codec c's content type and returns e, for the
// request log.
func writeError(w http.ResponseWriter, c codec, e *apiError) *apiError {
	body := errorBody{Type: e.Type}
	if e.capitalMessage {
		body.CapitalMessage = e.Message
	} else {
		body.Message = e.Message
	}
	b, err := c.marshal(nil, body)
	if err != nil {
		b = []byte(`{"__type":"InternalFailure"}`)
	}
	w.Header().Set("Content-Type", c.contentType())
	w.Header().Set("X-Amzn-ErrorType", e.Type)
	w.WriteHeader(e.Status)
	w.Write(b)
	return e
}
