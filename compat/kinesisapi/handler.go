package kinesisapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/kdsgo/kds"
)

// targetPrefix starts every X-Amz-Target header Kinesis answers.
const targetPrefix = "Kinesis_20131202."

// maxBodyBytes bounds a request body: a 10 MiB PutRecords grows by a third
// in base64, plus its keys and JSON syntax.
const maxBodyBytes = 20 << 20

// Handler serves one [kds.Service] in the Kinesis wire protocol. Create it
// with [NewHandler]; it is safe for concurrent use.
type Handler struct {
	svc *kds.Service
	log *slog.Logger
	// streams ends when EndEventStreams is called; event streams end with
	// it.
	streams    context.Context
	endStreams context.CancelFunc
	// auth verifies signatures; nil accepts any (see WithCredentials).
	auth *verifier
}

// Option configures a [Handler].
type Option interface{ apply(*Handler) }

type optionFunc func(*Handler)

func (f optionFunc) apply(h *Handler) { f(h) }

// WithLogger logs one line per request (operation, status, error type,
// duration, HTTP version) to l at Info level, or Warn for server failures.
// Default: no request log.
func WithLogger(l *slog.Logger) Option { return optionFunc(func(h *Handler) { h.log = l }) }

// NewHandler returns a Handler that serves svc.
func NewHandler(svc *kds.Service, opts ...Option) *Handler {
	h := &Handler{svc: svc}
	h.streams, h.endStreams = context.WithCancel(context.Background())
	for _, o := range opts {
		o.apply(h)
	}
	if h.auth != nil {
		h.auth.region = svc.Region()
	}
	return h
}

// EndEventStreams ends every SubscribeToShard response in progress, and
// any started later, as if its five minutes were up. Their responses stay
// open for minutes, so http.Server.Shutdown, which waits for responses to
// finish, would wait for them; register this with
// http.Server.RegisterOnShutdown. Other operations are unaffected.
func (h *Handler) EndEventStreams() { h.endStreams() }

// request is one decoded call on its way through an operation.
type request struct {
	codec codec
	body  []byte
	w     http.ResponseWriter
	r     *http.Request
	// streams ends when the handler's event streams must end.
	streams context.Context
}

// decode reads the request body into v, a pointer to the operation's
// input shape.
func (req *request) decode(v any) error {
	return req.codec.unmarshal(req.body, v)
}

// operation runs one Kinesis operation: it decodes req, calls the Service
// and returns the output shape to encode, or nil for operations whose
// output is empty. An operation that writes its own response (an event
// stream) returns [responded].
type operation func(ctx context.Context, svc *kds.Service, req *request) (any, error)

// responded is returned by an operation that has written the response
// itself.
var responded = new(struct{})

// ServeHTTP answers one Kinesis API call. It checks the request in the
// order Kinesis (and kinesalite) does: method, content type, target,
// authentication, body; then the operation validates and runs.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rw := &statusWriter{ResponseWriter: w}
	op, apiErr := h.serve(rw, r)
	if h.log != nil {
		h.logRequest(r, op, rw.status, apiErr, time.Since(start))
	}
}

// serve does ServeHTTP's work and returns the operation's name and the
// error answered, if any, for the request log.
func (h *Handler) serve(w *statusWriter, r *http.Request) (string, *apiError) {
	setCommonHeaders(w.Header())
	if r.Method == http.MethodOptions {
		writeCORSPreflight(w, r)
		return "", nil
	}
	ct := contentTypeOf(r)
	c := codecFor(ct)
	if r.Method != http.MethodPost {
		return "", writeError(w, jsonCodec{}, errAccessDeniedNoOperation)
	}
	if c == nil {
		return "", writeError(w, jsonCodec{}, errUnknownOperation.withStatus(http.StatusNotFound))
	}
	target, terr := operationTarget(r)
	if terr != nil {
		return "", writeError(w, c, terr)
	}
	if target == "" {
		return "", writeError(w, c, errAccessDeniedNoOperation)
	}
	name, ok := strings.CutPrefix(target, targetPrefix)
	op := operations[name]
	if why, known := unimplemented[name]; ok && known {
		return name, writeError(w, c, unimplementedError(name, why))
	}
	if !ok || op == nil {
		return name, writeError(w, c, errUnknownOperation)
	}
	if !signed(r) {
		return name, writeError(w, c, errMissingAuthenticationToken)
	}
	bodyBuf := getBuffer()
	defer putBuffer(bodyBuf)
	body, err := readBody(r, *bodyBuf)
	*bodyBuf = body
	if err != nil {
		return name, writeError(w, c, serializationError("Unable to read the request body: "+err.Error()))
	}
	if len(body) > maxBodyBytes {
		return name, writeError(w, c, errRequestTooLarge)
	}
	var key *accessKey
	if h.auth != nil {
		var aerr *apiError
		if key, aerr = h.auth.verify(r, body); aerr != nil {
			return name, writeError(w, c, aerr)
		}
	}
	if len(body) == 0 {
		return name, writeError(w, c, errEmptyBody)
	}
	req := &request{codec: c, body: body, w: w, r: r, streams: h.streams}
	out, err := op(kds.WithCaller(r.Context(), callerOf(w, r, key)), h.svc, req)
	if err != nil {
		return name, writeError(w, c, toAPIError(err))
	}
	if out == responded {
		return name, nil
	}
	w.Header().Set("Content-Type", c.contentType())
	if out == nil {
		w.WriteHeader(http.StatusOK)
		return name, nil
	}
	outBuf := getBuffer()
	defer putBuffer(outBuf)
	b, err := c.marshal((*outBuf)[:0], out)
	*outBuf = b
	if err != nil {
		return name, writeError(w, c, toAPIError(err))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
	return name, nil
}

// signed reports whether r carries a SigV4 signature, in the Authorization
// header or (for presigned URLs) the query, right or wrong.
func signed(r *http.Request) bool {
	if a := r.Header.Get("Authorization"); a != "" {
		return true
	}
	return r.URL.Query().Get("X-Amz-Algorithm") != ""
}

// operationTarget returns the X-Amz-Target that names r's operation: its
// header, or, for a presigned request whose query carries X-Amz-Target
// (the AWS SDKs' signers move X-Amz-* headers into the query when they
// presign), that query parameter, which the signature covers. A header
// that names another operation than the query, or a query that names two,
// is refused: the operation run must be the one signed.
func operationTarget(r *http.Request) (string, *apiError) {
	header := r.Header.Get("X-Amz-Target")
	if r.URL.RawQuery == "" {
		return header, nil
	}
	q := r.URL.Query()
	targets := q["X-Amz-Target"]
	switch {
	case !q.Has("X-Amz-Algorithm") || len(targets) == 0:
		return header, nil
	case len(targets) > 1:
		return "", invalidSignature("X-Amz-Target is given more than once in the query-string parameters.")
	case header != "" && header != targets[0]:
		return "", invalidSignature("The X-Amz-Target header '" + header +
			"' does not match the X-Amz-Target query-string parameter '" + targets[0] + "' that was signed.")
	}
	return targets[0], nil
}

// callerOf describes who sent r and how, for the Service's access
// control and audit trail: key is the access key whose signature the
// handler verified, nil if it verifies none (the caller is then the
// account root).
func callerOf(w http.ResponseWriter, r *http.Request, key *accessKey) kds.Caller {
	c := kds.Caller{
		Plaintext: r.TLS == nil,
		UserAgent: r.Header.Get("User-Agent"),
		RequestID: w.Header().Get("x-amzn-RequestId"),
	}
	if ap, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
		// Without the zone of a link-local peer, which would keep
		// aws:SourceIp out of every IpAddress range.
		c.SourceIP = ap.Addr().Unmap().WithZone("")
	}
	if key != nil {
		c.Principal, c.AccessKeyID = key.Principal, key.AccessKeyID
	}
	return c
}

// contentTypeOf returns r's media type without parameters, in lower case.
func contentTypeOf(r *http.Request) string {
	ct, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	return strings.ToLower(strings.TrimSpace(ct))
}

// setCommonHeaders sets what every response carries: a request ID and the
// CORS exposure browsers need to read it.
func setCommonHeaders(h http.Header) {
	id := requestID()
	h.Set("x-amzn-RequestId", id)
	h.Set("x-amz-id-2", id)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,x-amzn-ErrorMessage,Date")
}

// writeCORSPreflight answers a browser's OPTIONS request.
func writeCORSPreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", req)
	}
	h.Set("Access-Control-Max-Age", "172800")
	w.WriteHeader(http.StatusOK)
}

// requestID returns a random UUID (version 4) as Kinesis's request IDs are.
func requestID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// statusWriter remembers the status written, for the request log, and
// passes Flush through for event streams.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// FlushError sends buffered data to the client and reports whether it
// could; http.ResponseController uses it.
func (w *statusWriter) FlushError() error {
	return http.NewResponseController(w.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logRequest writes the request log's line for one call.
func (h *Handler) logRequest(r *http.Request, op string, status int, e *apiError, d time.Duration) {
	level := slog.LevelInfo
	attrs := []slog.Attr{slog.String("op", op), slog.Int("status", status), slog.Duration("duration", d), slog.String("proto", r.Proto)}
	if e != nil {
		attrs = append(attrs, slog.String("error", e.Type))
		if e.Status >= 500 {
			level = slog.LevelWarn
			attrs = append(attrs, slog.String("message", e.Message))
		}
	}
	h.log.LogAttrs(r.Context(), level, "kinesis request", attrs...)
}

// isContextError reports whether err comes from the request's context
// ending (the client went away).
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// typed makes an operation of fn, which takes the operation's decoded
// input shape In.
func typed[In any](fn func(ctx context.Context, svc *kds.Service, in In) (any, error)) operation {
	return func(ctx context.Context, svc *kds.Service, req *request) (any, error) {
		var in In
		if err := req.decode(&in); err != nil {
			return nil, err
		}
		return fn(ctx, svc, in)
	}
}
