package kds

import (
	"context"
	"io"
	"log/slog"
	"os"
	"sync"
)

// AuditJSONLinesSink writes each audit event as one line of JSON, a
// CloudTrail record, to a writer: the JSON Lines form of a CloudTrail log.
// It is safe for concurrent use; each event is one Write call.
type AuditJSONLinesSink struct {
	mu   sync.Mutex
	w    io.Writer
	file *os.File // opened by OpenAuditLog, closed by Close
	buf  []byte
}

// NewAuditJSONLinesSink returns a sink that writes to w.
func NewAuditJSONLinesSink(w io.Writer) *AuditJSONLinesSink {
	return &AuditJSONLinesSink{w: w}
}

// OpenAuditLog opens the file at path for appending, creating it readable
// by its owner only if it does not exist, and returns a sink that writes
// to it. Close the sink, after the Service, to close the file.
func OpenAuditLog(path string) (*AuditJSONLinesSink, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &AuditJSONLinesSink{w: f, file: f}, nil
}

// WriteAuditEvent writes e and a newline.
func (s *AuditJSONLinesSink) WriteAuditEvent(e *AuditEvent) error {
	line, err := e.MarshalJSON() // not json.Marshal, which would check it again
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf = append(append(s.buf[:0], line...), '\n')
	_, err = s.w.Write(s.buf)
	return err
}

// Close closes the file OpenAuditLog opened; for a sink made by
// NewAuditJSONLinesSink it does nothing.
func (s *AuditJSONLinesSink) Close() error {
	if s.file == nil {
		return nil
	}
	return s.file.Close()
}

// AuditSlogSink logs each audit event as one log/slog record, at Info
// level, or Warn for a call that failed. The record's time is the event's
// time and its message "kinesis api call"; its attributes carry the
// event's fields under their CloudTrail names.
type AuditSlogSink struct {
	l *slog.Logger
}

// NewAuditSlogSink returns a sink that logs to l.
func NewAuditSlogSink(l *slog.Logger) *AuditSlogSink { return &AuditSlogSink{l: l} }

// WriteAuditEvent logs e, returning the handler's error.
func (s *AuditSlogSink) WriteAuditEvent(e *AuditEvent) error {
	level := slog.LevelInfo
	if e.ErrorCode != "" {
		level = slog.LevelWarn
	}
	ctx := context.Background()
	h := s.l.Handler()
	if !h.Enabled(ctx, level) {
		return nil
	}
	r := slog.NewRecord(e.EventTime, level, "kinesis api call", 0)
	id := e.UserIdentity
	who := []any{slog.String("type", id.Type), slog.String("arn", id.ARN), slog.String("accountId", id.AccountID)}
	if id.AccessKeyID != "" {
		who = append(who, slog.String("accessKeyId", id.AccessKeyID))
	}
	r.AddAttrs(
		slog.String("eventName", e.EventName),
		slog.String("eventCategory", e.EventCategory),
		slog.Bool("readOnly", e.ReadOnly),
		slog.Group("userIdentity", who...),
		slog.String("sourceIPAddress", e.SourceIPAddress),
		slog.String("userAgent", e.UserAgent),
		slog.String("awsRegion", e.AWSRegion),
		slog.String("requestID", e.RequestID),
		slog.String("eventID", e.EventID),
	)
	if e.ErrorCode != "" {
		r.AddAttrs(slog.String("errorCode", e.ErrorCode), slog.String("errorMessage", e.ErrorMessage))
	}
	if e.RequestParameters != nil {
		r.AddAttrs(slog.Any("requestParameters", e.RequestParameters))
	}
	if e.ResponseElements != nil {
		r.AddAttrs(slog.Any("responseElements", e.ResponseElements))
	}
	if len(e.Resources) > 0 {
		arns := make([]string, len(e.Resources))
		for i, res := range e.Resources {
			arns[i] = res.ARN
		}
		r.AddAttrs(slog.Any("resources", arns))
	}
	return h.Handle(ctx, r)
}
