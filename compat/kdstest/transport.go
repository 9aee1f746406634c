package kdstest

import (
	"bytes"
	"io"
	"net/http"
)

// ownBody is the HTTP client of the fake's Kinesis clients. It hands the
// transport a copy of each request body, so that the SDK cannot close the
// body under the transport.
//
// The SDK closes a request's body as soon as Do returns, which is when the
// response headers arrive. Against a server as fast as the fake, the
// transport may not yet have made its last read of the body (the one that
// checks the body holds no more than Content-Length bytes); that read then
// fails, the transport takes it for a failed write and closes the
// connection, and the response body, an event stream or a plain answer
// alike, ends with "use of closed network connection". A copy the SDK
// does not know of is unaffected by its close.
type ownBody struct{ client *http.Client }

// Do sends a copy of req whose body is a copy of req's.
func (c ownBody) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.client.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	own := req.Clone(req.Context())
	own.Body = io.NopCloser(bytes.NewReader(b))
	own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return c.client.Do(own)
}
