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

// OwnBody is an HTTP client for the SDK that hands the transport a request
// body of its own, which the SDK's close does not reach.
type OwnBody struct{ Client Doer }

// Do sends a copy of req whose body ends, with io.EOF, after the
// Content-Length bytes without reading the SDK's body any further: the
// transport's extra read stops there. A body of unknown length is copied
// whole first.
func (c OwnBody) Do(req *http.Request) (*http.Response, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return c.Client.Do(req)
	}
	own := req.Clone(req.Context())
	if req.ContentLength > 0 {
		own.Body = &exactBody{r: req.Body, left: req.ContentLength}
		if get := req.GetBody; get != nil {
			own.GetBody = func() (io.ReadCloser, error) {
				b, err := get()
				if err != nil {
					return nil, err
				}
				return &exactBody{r: b, left: req.ContentLength}, nil
			}
		}
		return c.Client.Do(own)
	}
	b, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	own.Body = io.NopCloser(bytes.NewReader(b))
	own.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	return c.Client.Do(own)
}

// exactBody reads left bytes from r and then reports io.EOF without
// reading r again. Closing it leaves r to its owner, the SDK.
type exactBody struct {
	r    io.Reader
	left int64
}

func (b *exactBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left <= 0 && err == nil {
		err = io.EOF
	}
	return n, err
}

func (b *exactBody) Close() error { return nil }
