package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/internal/backoff"
	"github.com/kdsgo/kds/internal/uuid"
)

// Limits of Firehose's HTTP endpoint destination.
const (
	// MinRetryDurationInSeconds is the smallest
	// RetryOptions.DurationInSeconds: no retry.
	MinRetryDurationInSeconds = 0
	// MaxRetryDurationInSeconds is the largest
	// RetryOptions.DurationInSeconds, two hours.
	MaxRetryDurationInSeconds = 7200
	// DefaultRetryDurationInSeconds is RetryOptions.DurationInSeconds's
	// default.
	DefaultRetryDurationInSeconds = 300

	maxHTTPSizeInMBs        = 64    // largest buffer for an HTTP endpoint
	maxHTTPRecords          = 10000 // most records per request
	maxAccessKeyBytes       = 4096  // X-Amz-Firehose-Access-Key
	maxCommonAttributes     = 50    // X-Amz-Firehose-Common-Attributes
	maxAttributeName        = 256   // characters
	maxAttributeValue       = 1024  // characters
	maxResponseBytes        = 1 << 20
	httpRequestTimeout      = 3 * time.Minute
	firehoseProtocolVersion = "1.0"
)

// ContentEncoding is how the HTTP endpoint destination encodes request
// bodies, Firehose's RequestConfiguration.ContentEncoding.
type ContentEncoding string

// The content encodings of Firehose's HTTP endpoint requests.
const (
	// ContentEncodingNone sends the JSON body as it is. The default.
	ContentEncodingNone ContentEncoding = "NONE"
	// ContentEncodingGZIP compresses the body and says so in a
	// Content-Encoding: gzip header.
	ContentEncodingGZIP ContentEncoding = "GZIP"
)

// RetryOptions is Firehose's RetryOptions of an HTTP endpoint: how long
// to keep retrying a request the endpoint does not accept.
type RetryOptions struct {
	// DurationInSeconds is 0-7200; 0 means no retry. Default (nil): 300.
	DurationInSeconds *int
}

// HTTPEndpointConfig configures an [HTTPEndpointDestination], with the
// fields of Firehose's HttpEndpointDestinationConfiguration.
type HTTPEndpointConfig struct {
	// URL is the endpoint, http or https (Firehose allows only https on
	// port 443; kds also allows http, for local endpoints).
	URL string
	// AccessKey, if set, is sent verbatim in X-Amz-Firehose-Access-Key;
	// at most 4096 bytes.
	AccessKey string
	// CommonAttributes, if set, are sent in
	// X-Amz-Firehose-Common-Attributes as {"commonAttributes": {...}}: at
	// most 50, names of 1-256 characters (not only white space), values
	// of at most 1024.
	CommonAttributes map[string]string
	// ContentEncoding is NONE (the default) or GZIP.
	ContentEncoding ContentEncoding
	// RetryOptions says how long a failing request is retried.
	RetryOptions RetryOptions
	// Client sends the requests. Default: http.DefaultTransport. Redirects
	// are never followed, and a Client without a Timeout gets Firehose's
	// 3 minutes.
	Client *http.Client
	// Clock times the retries and stamps the requests. Default: the
	// Clock of the delivery stream the destination is given to (see
	// [ClockedDestination]), or [kds.RealClock] if it is used on its own.
	Clock kds.Clock
}

// HTTPEndpointDestination sends each batch to an HTTP endpoint with
// Firehose's request and response contract:
//
//   - POST to URL with headers Content-Type: application/json,
//     X-Amz-Firehose-Protocol-Version: 1.0, X-Amz-Firehose-Request-Id (a
//     UUID, the same on every retry of the batch), and, when configured,
//     X-Amz-Firehose-Access-Key, X-Amz-Firehose-Common-Attributes and
//     Content-Encoding: gzip (X-Amz-Firehose-Source-Arn is not sent);
//   - the body {"requestId": ..., "timestamp": <ms>, "records": [{"data":
//     <base64>}, ...]}, at most 10,000 records (the delivery stream seals
//     buffers at that count) and 64 MiB of data;
//   - success is status 200 with Content-Type application/json and a
//     body {"requestId": <the same>, "timestamp": <number>} of at most 1
//     MiB. Anything else fails the attempt: another 2xx or an error status
//     (HttpEndpoint.DestinationException; the body's errorMessage goes into
//     the error record), a malformed 200
//     (HttpEndpoint.InvalidResponseFromDestination), a larger body
//     (HttpEndpoint.ResponseTooLarge), no answer within the Client's
//     Timeout (HttpEndpoint.RequestTimeout) or no connection
//     (HttpEndpoint.ConnectionFailed).
//
// A failed attempt is retried after a backoff of 1 s doubling to at most 2
// min, ±15% jitter, on the Clock, until RetryOptions.DurationInSeconds have
// passed since the first attempt (the last wait is cut to end at that
// moment); then Deliver returns a [*DeliveryFailedError] and the delivery
// stream writes the records to its ErrorOutput as http-endpoint-failed.
// A 413 is not retried: Firehose drops such a batch, kds sends it to the
// error output at once.
type HTTPEndpointDestination struct {
	url      string
	key      string
	attrs    string // the Common-Attributes header, or ""
	gzip     bool
	duration time.Duration
	client   *http.Client

	mu    sync.Mutex
	clock kds.Clock // nil until configured or set by SetDefaultClock
}

// NewHTTPEndpointDestination returns an HTTPEndpointDestination for cfg,
// or every reason cfg is invalid.
func NewHTTPEndpointDestination(cfg HTTPEndpointConfig) (*HTTPEndpointDestination, error) {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("delivery: HTTPEndpointConfig."+format, args...))
	}
	if u, err := url.Parse(cfg.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("URL: %q is not an http or https URL", cfg.URL)
	}
	if len(cfg.AccessKey) > maxAccessKeyBytes {
		bad("AccessKey: %d bytes, more than %d", len(cfg.AccessKey), maxAccessKeyBytes)
	}
	if n := len(cfg.CommonAttributes); n > maxCommonAttributes {
		bad("CommonAttributes: %d attributes, more than %d", n, maxCommonAttributes)
	}
	for name, value := range cfg.CommonAttributes {
		if n := len([]rune(name)); n < 1 || n > maxAttributeName || strings.TrimSpace(name) == "" {
			bad("CommonAttributes: name %q is not 1-%d characters with some not white space", name, maxAttributeName)
		}
		if n := len([]rune(value)); n > maxAttributeValue {
			bad("CommonAttributes[%q]: value of %d characters, more than %d", name, n, maxAttributeValue)
		}
	}
	switch cfg.ContentEncoding {
	case "", ContentEncodingNone, ContentEncodingGZIP:
	default:
		bad("ContentEncoding: %q is not NONE or GZIP", string(cfg.ContentEncoding))
	}
	duration := DefaultRetryDurationInSeconds
	if p := cfg.RetryOptions.DurationInSeconds; p != nil {
		duration = *p
		if duration < MinRetryDurationInSeconds || duration > MaxRetryDurationInSeconds {
			bad("RetryOptions.DurationInSeconds: %d is outside [%d, %d]", duration, MinRetryDurationInSeconds, MaxRetryDurationInSeconds)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	d := &HTTPEndpointDestination{
		url:      cfg.URL,
		key:      cfg.AccessKey,
		gzip:     cfg.ContentEncoding == ContentEncodingGZIP,
		duration: time.Duration(duration) * time.Second,
		client:   &http.Client{},
		clock:    cfg.Clock,
	}
	if cfg.Client != nil {
		*d.client = *cfg.Client
	}
	d.client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if d.client.Timeout == 0 {
		d.client.Timeout = httpRequestTimeout
	}
	if len(cfg.CommonAttributes) > 0 {
		h, _ := json.Marshal(map[string]any{"commonAttributes": cfg.CommonAttributes}) // strings: cannot fail
		d.attrs = string(h)
	}
	return d, nil
}

// Limits returns Firehose's limits of an HTTP endpoint: at most 10,000
// records per request, buffers of at most 64 MiB, and an error output
// for the batches it gives up.
func (d *HTTPEndpointDestination) Limits() DestinationLimits {
	return DestinationLimits{MaxRecords: maxHTTPRecords, MaxSizeInMBs: maxHTTPSizeInMBs, NeedsErrorOutput: true}
}

// SetDefaultClock makes c the destination's clock, unless
// HTTPEndpointConfig.Clock or an earlier call set one.
func (d *HTTPEndpointDestination) SetDefaultClock(c kds.Clock) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clock == nil {
		d.clock = c
	}
}

// currentClock returns the destination's clock: its own, or kds.RealClock.
func (d *HTTPEndpointDestination) currentClock() kds.Clock {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.clock == nil {
		return kds.RealClock{}
	}
	return d.clock
}

// httpBackoff paces the attempts of a request: 1 s doubling up to 2 min,
// ±15%.
var httpBackoff = backoff.Exponential{Min: time.Second, Max: 2 * time.Minute, Jitter: 0.15}

// httpRequest is the body Firehose sends.
type httpRequest struct {
	RequestID string       `json:"requestId"`
	Timestamp int64        `json:"timestamp"`
	Records   []httpRecord `json:"records"`
}

type httpRecord struct {
	Data []byte `json:"data"` // base64 in JSON
}

// Deliver sends b and retries it as the type documentation says.
func (d *HTTPEndpointDestination) Deliver(ctx context.Context, b *Batch) error {
	clock := d.currentClock()
	req := httpRequest{RequestID: uuid.New(), Timestamp: clock.Now().UnixMilli(), Records: make([]httpRecord, len(b.Records))}
	for i, r := range b.Records {
		req.Records[i].Data = r
	}
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if d.gzip {
		body = GZIP.encode([][]byte{body})
	}
	start := clock.Now()
	for attempt := 1; ; attempt++ {
		failure := d.send(ctx, req.RequestID, body)
		if failure == nil {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		failure.AttemptsMade = attempt
		left := d.duration - clock.Now().Sub(start)
		if failure.permanent || left <= 0 {
			return &failure.DeliveryFailedError
		}
		wait := min(httpBackoff.Delay(attempt), left)
		select {
		case <-clock.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// attemptFailure is why one request failed.
type attemptFailure struct {
	DeliveryFailedError
	permanent bool // not worth retrying (413)
}

func attemptFailed(code, format string, args ...any) *attemptFailure {
	return &attemptFailure{DeliveryFailedError: DeliveryFailedError{
		ErrorOutputType: ErrorOutputHTTPEndpointFailed,
		ErrorCode:       code,
		ErrorMessage:    fmt.Sprintf(format, args...),
	}}
}

// send makes one request and checks the response; nil means success.
func (d *HTTPEndpointDestination) send(ctx context.Context, requestID string, body []byte) *attemptFailure {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return attemptFailed("HttpEndpoint.ConnectionFailed", "%v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Firehose-Protocol-Version", firehoseProtocolVersion)
	req.Header.Set("X-Amz-Firehose-Request-Id", requestID)
	if d.key != "" {
		req.Header.Set("X-Amz-Firehose-Access-Key", d.key)
	}
	if d.attrs != "" {
		req.Header.Set("X-Amz-Firehose-Common-Attributes", d.attrs)
	}
	if d.gzip {
		req.Header.Set("Content-Encoding", "gzip")
	}
	resp, err := d.client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return attemptFailed("HttpEndpoint.RequestTimeout", "no response within %v: %v", d.client.Timeout, err)
		}
		return attemptFailed("HttpEndpoint.ConnectionFailed", "%v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	switch {
	case err != nil:
		return attemptFailed("HttpEndpoint.ConnectionReset", "reading the response: %v", err)
	case len(raw) > maxResponseBytes:
		return attemptFailed("HttpEndpoint.ResponseTooLarge", "the response body is larger than %d bytes", maxResponseBytes)
	}
	if resp.StatusCode != http.StatusOK {
		f := attemptFailed("HttpEndpoint.DestinationException", "the endpoint answered %d: %s", resp.StatusCode, errorMessageOf(raw))
		f.permanent = resp.StatusCode == http.StatusRequestEntityTooLarge
		return f
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return attemptFailed("HttpEndpoint.InvalidResponseFromDestination", "the response's Content-Type is %q, not application/json", resp.Header.Get("Content-Type"))
	}
	var ans struct {
		RequestID *string         `json:"requestId"`
		Timestamp json.RawMessage `json:"timestamp"`
	}
	switch {
	case json.Unmarshal(raw, &ans) != nil:
		return attemptFailed("HttpEndpoint.InvalidResponseFromDestination", "the response is not the expected JSON: %.200s", raw)
	case ans.RequestID == nil || *ans.RequestID != requestID:
		return attemptFailed("HttpEndpoint.InvalidResponseFromDestination", "the response's requestId does not match %s: %.200s", requestID, raw)
	case !isJSONNumber(ans.Timestamp):
		return attemptFailed("HttpEndpoint.InvalidResponseFromDestination", "the response has no numeric timestamp: %.200s", raw)
	}
	return nil
}

// isJSONNumber reports whether v is a JSON number (not a string).
func isJSONNumber(v json.RawMessage) bool {
	return len(v) > 0 && (v[0] == '-' || '0' <= v[0] && v[0] <= '9')
}

// errorMessageOf returns the errorMessage of an error response, or the
// start of its body if it has none.
func errorMessageOf(body []byte) string {
	var ans struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal(body, &ans) == nil && ans.ErrorMessage != "" {
		return ans.ErrorMessage
	}
	return fmt.Sprintf("%.200s", body)
}
