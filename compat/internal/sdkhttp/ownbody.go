// Package sdkhttp works around a race between the AWS SDK for Go v2 and
// net/http's transport that only a fast local server, such as kds's wire
// server, makes visible.
//
// The SDK closes a request's body as soon as the response headers arrive.
// The transport, after writing Content-Length bytes, makes one more read
// of the body to check it holds nothing more; if the server has answered
// before that read, the read fails, the transport takes it for a failed
// write and closes the connection, and the response (an event stream or a
// plain answer alike) ends with "use of closed network connection".
// Against Kinesis itself the network's latency hides the race.
package sdkhttp

import (
	"bytes"
	"io"
	"net/http"
)

// Doer is the HTTP client interface of the AWS SDK's service clients.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// OwnBody is an HTTP client for the SDK that hands the transport a copy of
// each request body, which the SDK's close does not reach.
type OwnBody struct{ Client Doer }

// Do sends a copy of req whose body is a copy of req's.
func (c OwnBody) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.Client.Do(req)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	own := req.Clone(req.Context())
	own.Body = io.NopCloser(bytes.NewReader(b))
	own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return c.Client.Do(own)
}
