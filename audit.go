package kds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds/internal/uuid"
)

// AuditEvent is one call to a Kinesis operation as the audit trail records
// it, in the shape of a CloudTrail record: the JSON names and meanings are
// CloudTrail's. Record payloads are never part of it.
type AuditEvent struct {
	// EventTime is when the call completed, on the Service's clock, in
	// UTC. It is written to JSON to the second, as CloudTrail writes it.
	EventTime time.Time `json:"eventTime"`
	// EventVersion is the CloudTrail record format version, 1.11.
	EventVersion string `json:"eventVersion"`
	// UserIdentity is who made the call.
	UserIdentity AuditIdentity `json:"userIdentity"`
	// EventSource is "kinesis.amazonaws.com".
	EventSource string `json:"eventSource"`
	// EventName is the operation, such as "CreateStream".
	EventName string `json:"eventName"`
	// AWSRegion is the Service's region.
	AWSRegion string `json:"awsRegion"`
	// SourceIPAddress is the address the call came from, or, for a call
	// made inside the process, "AWS Internal", as CloudTrail writes for
	// calls AWS makes itself.
	SourceIPAddress string `json:"sourceIPAddress"`
	// UserAgent is the client's User-Agent; "AWS Internal" for a call
	// made inside the process that did not set one.
	UserAgent string `json:"userAgent"`
	// ErrorCode is the exception the call failed with, such as
	// "AccessDeniedException"; empty for a call that succeeded.
	ErrorCode string `json:"errorCode,omitempty"`
	// ErrorMessage is the failure's message.
	ErrorMessage string `json:"errorMessage,omitempty"`
	// RequestParameters is the input's fields that were set, named as
	// Kinesis names them in lower camel case (streamName, shardCount);
	// record data is left out. null when the input has none.
	RequestParameters json.RawMessage `json:"requestParameters"`
	// ResponseElements is the output of a management call that changes
	// something, in the same form; null for reads, data events, failed
	// calls and empty outputs.
	ResponseElements json.RawMessage `json:"responseElements"`
	// RequestID is the call's request ID: the wire server's
	// x-amzn-RequestId, or a fresh UUID for a call made in process.
	RequestID string `json:"requestID"`
	// EventID is a UUID unique to this event.
	EventID string `json:"eventID"`
	// ReadOnly reports whether the operation only reads (Describe*,
	// List*, Get*, SubscribeToShard).
	ReadOnly bool `json:"readOnly"`
	// Resources are the streams and consumers a data event acts on.
	Resources []AuditResource `json:"resources,omitempty"`
	// EventType is "AwsApiCall".
	EventType string `json:"eventType"`
	// ManagementEvent is true for control-plane calls, false for data
	// events.
	ManagementEvent bool `json:"managementEvent"`
	// RecipientAccountID is the Service's account.
	RecipientAccountID string `json:"recipientAccountId"`
	// EventCategory is "Management" or "Data".
	EventCategory string `json:"eventCategory"`
}

// AuditResource is a stream or consumer a data event acts on.
type AuditResource struct {
	// AccountID is the account that owns the resource.
	AccountID string `json:"accountId"`
	// Type is AWS::Kinesis::Stream or AWS::Kinesis::StreamConsumer.
	Type string `json:"type"`
	// ARN is the resource's ARN.
	ARN string `json:"ARN"`
}

// MarshalJSON writes e as one CloudTrail record, with eventTime to the
// second ("2026-03-01T12:00:00Z").
func (e AuditEvent) MarshalJSON() ([]byte, error) {
	type plain AuditEvent // without the method
	return json.Marshal(struct {
		EventTime string `json:"eventTime"`
		plain
	}{e.EventTime.UTC().Format(time.RFC3339), plain(e)})
}

// AuditSink receives the events of an audit trail. WriteAuditEvent may be
// called from several goroutines at once; e is the sink's to keep. An
// error counts the event as failed (see [Service.AuditStats]). A sink
// must not call the Service it records.
type AuditSink interface {
	WriteAuditEvent(e *AuditEvent) error
}

// AuditSinkFunc is a function that is an [AuditSink].
type AuditSinkFunc func(e *AuditEvent) error

// WriteAuditEvent returns f(e).
func (f AuditSinkFunc) WriteAuditEvent(e *AuditEvent) error { return f(e) }

// AuditOption configures an audit trail (see [WithAuditTrail]).
type AuditOption func(*auditHook)

// AuditDataEvents records data events too: PutRecord, PutRecords,
// GetRecords, GetShardIterator and SubscribeToShard. Like CloudTrail, a
// trail records only management events unless asked.
func AuditDataEvents() AuditOption { return func(h *auditHook) { h.dataEvents = true } }

// DefaultAuditQueue is how many events an audit trail holds for its sink
// by default.
const DefaultAuditQueue = 4096

// AuditQueue sets how many events may wait for the sink (default
// [DefaultAuditQueue]). When the queue is full, events are dropped and
// counted (see [Service.AuditStats]) unless [AuditWaitWhenFull] is given.
func AuditQueue(n int) AuditOption { return func(h *auditHook) { h.queueSize = n } }

// AuditWaitWhenFull makes calls wait for room in a full queue instead of
// dropping their events: no event is lost, but a slow sink slows the
// calls down.
func AuditWaitWhenFull() AuditOption { return func(h *auditHook) { h.wait = true } }

// AuditOnError has f called with every error the sink returns and, after
// events were dropped, with an error counting them. f is called one call
// at a time, from the trail's own goroutine (after [Service.Close], from
// the goroutine of the call whose event it is); it must not call the
// Service.
func AuditOnError(f func(error)) AuditOption { return func(h *auditHook) { h.onError = f } }

// WithAuditTrail records every call to the Service's Kinesis operations,
// in process and through the wire server, as a CloudTrail-shaped
// [AuditEvent] written to sink: management events always, data events
// with [AuditDataEvents]. Calls refused by access control are recorded
// with their error.
//
// A call hands its event to a queue and goes on; a goroutine writes the
// queue to the sink, so a slow sink does not slow calls down. When the
// queue is full the event is dropped and counted; [Service.AuditStats]
// reports the counts and [AuditOnError] reports drops and sink errors as
// they happen. [Service.Close] writes out the queue and waits for it;
// after Close, events are written by the calls themselves.
//
// The option may be given more than once, each trail with its own sink.
func WithAuditTrail(sink AuditSink, opts ...AuditOption) Option {
	return optionFunc(func(c *config) {
		if sink == nil {
			c.errs = append(c.errs, errors.New("kds: WithAuditTrail: sink is nil"))
			return
		}
		h := &auditHook{sink: sink, cfg: c, queueSize: DefaultAuditQueue}
		for _, o := range opts {
			o(h)
		}
		if h.queueSize < 1 {
			c.errs = append(c.errs, fmt.Errorf("kds: AuditQueue: %d is below 1", h.queueSize))
			return
		}
		h.queue = make(chan *AuditEvent, h.queueSize)
		h.done = make(chan struct{})
		c.hooks = append(c.hooks, h)
	})
}

// AuditStats counts what the Service's audit trails did with their events.
type AuditStats struct {
	// Written counts events the sinks accepted.
	Written uint64
	// Dropped counts events dropped because a queue was full.
	Dropped uint64
	// Failed counts events a sink returned an error for.
	Failed uint64
	// LastError is the most recent error a sink returned (with several
	// trails, the last trail's that had one), or nil.
	LastError error
}

// AuditStats returns the counts of the Service's audit trails, added up;
// all zero without [WithAuditTrail].
func (svc *Service) AuditStats() AuditStats {
	var st AuditStats
	for _, hk := range svc.cfg.hooks {
		h, ok := hk.(*auditHook)
		if !ok {
			continue
		}
		st.Written += h.written.Load()
		st.Dropped += h.dropped.Load()
		st.Failed += h.failed.Load()
		if p := h.lastErr.Load(); p != nil {
			st.LastError = *p
		}
	}
	return st
}

// auditHook is an audit trail: a callHook that makes an AuditEvent of
// every call and delivers it to its sink.
type auditHook struct {
	sink       AuditSink
	cfg        *config // the Service's; read for clock, account and region
	dataEvents bool
	queueSize  int
	wait       bool
	onError    func(error)

	queue   chan *AuditEvent
	start   sync.Once
	done    chan struct{} // closed when the delivering goroutine ends
	mu      sync.RWMutex  // read-held while queueing, held by close
	started bool          // the goroutine runs; set under start
	closed  bool          // under mu: calls write their events themselves

	written, dropped, failed atomic.Uint64
	lastErr                  atomic.Pointer[error]
	reportMu                 sync.Mutex // serialises onError
	reported                 uint64     // drops reported to onError; under reportMu
}

func (h *auditHook) before(context.Context, *callInfo) error { return nil }

// observesData reports whether data events are recorded.
func (h *auditHook) observesData() bool { return h.dataEvents }

func (h *auditHook) after(_ context.Context, c *callInfo, out any, err error) {
	if c.data && !h.dataEvents {
		return
	}
	e := h.event(c, out, err)
	h.mu.RLock()
	if h.closed {
		h.mu.RUnlock()
		h.deliver(e)
		return
	}
	h.start.Do(func() {
		h.started = true
		go h.run()
	})
	select {
	case h.queue <- e:
	default:
		if h.wait {
			h.queue <- e
		} else {
			h.dropped.Add(1)
		}
	}
	h.mu.RUnlock()
}

// close writes out the queued events and stops the goroutine; later events
// are written by the calls.
func (h *auditHook) close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.closed = true
	h.mu.Unlock()
	h.start.Do(func() {}) // no goroutine starts from now on
	if h.started {
		close(h.queue)
		<-h.done
	}
	// A call that found the queue full may count its drop only after the
	// goroutine reported on the last event; report it now.
	h.report(nil)
}

// run delivers the queue to the sink until close.
func (h *auditHook) run() {
	defer close(h.done)
	for e := range h.queue {
		h.deliver(e)
	}
}

// deliver writes e to the sink, counts the outcome and reports errors
// and drops.
func (h *auditHook) deliver(e *AuditEvent) {
	err := h.sink.WriteAuditEvent(e)
	if err != nil {
		h.failed.Add(1)
		h.lastErr.Store(&err)
	} else {
		h.written.Add(1)
	}
	h.report(err)
}

// report passes the sink error err, if any, and the drops not reported
// yet to onError.
func (h *auditHook) report(err error) {
	if h.onError == nil {
		return
	}
	h.reportMu.Lock()
	defer h.reportMu.Unlock()
	if err != nil {
		h.onError(fmt.Errorf("kds: audit trail: %w", err))
	}
	if d := h.dropped.Load(); d > h.reported {
		h.onError(fmt.Errorf("kds: audit trail: %d events dropped: the sink did not keep up (queue of %d)", d-h.reported, h.queueSize))
		h.reported = d
	}
}

// event makes the AuditEvent of call c, which returned out or err.
func (h *auditHook) event(c *callInfo, out any, err error) *AuditEvent {
	account := h.cfg.accountID
	readOnly := isReadOnly(c.op)
	e := &AuditEvent{
		EventTime:          h.cfg.clock.Now().UTC(),
		EventVersion:       "1.11",
		UserIdentity:       auditIdentity(c.caller, account),
		EventSource:        "kinesis.amazonaws.com",
		EventName:          c.op,
		AWSRegion:          h.cfg.region,
		SourceIPAddress:    "AWS Internal",
		UserAgent:          c.caller.UserAgent,
		RequestParameters:  auditJSON(c.in),
		RequestID:          c.caller.RequestID,
		EventID:            uuid.New(),
		ReadOnly:           readOnly,
		EventType:          "AwsApiCall",
		ManagementEvent:    !c.data,
		RecipientAccountID: account,
		EventCategory:      "Management",
	}
	if c.caller.SourceIP != (netip.Addr{}) {
		e.SourceIPAddress = c.caller.SourceIP.String()
	} else if e.UserAgent == "" {
		e.UserAgent = "AWS Internal"
	}
	if e.RequestID == "" {
		e.RequestID = uuid.New()
	}
	if c.data {
		e.EventCategory = "Data"
		for _, arn := range c.resources {
			e.Resources = append(e.Resources, auditResource(arn))
		}
	}
	switch {
	case err != nil:
		e.ErrorCode, e.ErrorMessage = auditError(err)
	case !c.data && !readOnly:
		e.ResponseElements = auditJSON(out)
	}
	return e
}

// isReadOnly reports whether operation op only reads, as CloudTrail's
// readOnly field tells.
func isReadOnly(op string) bool {
	return strings.HasPrefix(op, "Describe") || strings.HasPrefix(op, "List") ||
		strings.HasPrefix(op, "Get") || op == "SubscribeToShard"
}

// auditResource describes the stream or consumer with ARN arn.
func auditResource(arn string) AuditResource {
	r := AuditResource{ARN: arn, Type: "AWS::Kinesis::Stream"}
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		r.AccountID = parts[4]
		if strings.Contains(parts[5], "/consumer/") {
			r.Type = "AWS::Kinesis::StreamConsumer"
		}
	}
	return r
}

// auditError returns the errorCode and errorMessage of a failed call:
// Kinesis's exception and message, and for other failures the names the
// wire server answers them with.
func auditError(err error) (code, message string) {
	var ke *Error
	switch {
	case errors.As(err, &ke):
		return ke.Code, ke.Message
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return "ServiceUnavailable", err.Error()
	}
	return "InternalFailure", err.Error()
}
