package sdkhttp

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// closable is a body that fails every read after Close, as the SDK's
// request bodies do.
type closable struct {
	r      io.Reader
	closed bool
}

func (c *closable) Read(p []byte) (int, error) {
	if c.closed {
		return 0, errors.New("read after close")
	}
	return c.r.Read(p)
}

func (c *closable) Close() error { c.closed = true; return nil }

// recorder is a Doer that keeps the request it was given.
type recorder struct{ req *http.Request }

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	r.req = req
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody}, nil
}

func TestOwnBodySurvivesTheSDKsClose(t *testing.T) {
	for _, length := range []int64{11} {
		sdkBody := &closable{r: strings.NewReader("hello world")}
		req, _ := http.NewRequest(http.MethodPost, "http://localhost/", sdkBody)
		req.ContentLength = length
		var rec recorder
		if _, err := (OwnBody{Client: &rec}).Do(req); err != nil {
			t.Fatal(err)
		}
		// The transport reads the declared bytes; then the SDK closes its
		// body; then the transport reads once more to see the end.
		got := make([]byte, 11)
		if _, err := io.ReadFull(rec.req.Body, got); err != nil || string(got) != "hello world" {
			t.Fatalf("length %d: read %q, %v", length, got, err)
		}
		sdkBody.Close()
		if n, err := rec.req.Body.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Fatalf("length %d: the read after the SDK's close got %d, %v; want 0, io.EOF", length, n, err)
		}
	}
}
