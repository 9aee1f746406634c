package kds

import (
	"context"
	"net/netip"
)

// Caller is who makes a call and how it reached the Service: the IAM
// principal it acts as and, for calls that came over the network, where
// from. Access control judges a call by its Caller and the audit trail
// records it. Attach one to a call's context with [WithCaller]; a call
// without one is made by the account itself (its root), from inside the
// process.
type Caller struct {
	// Principal is the ARN of the IAM principal the call acts as, such as
	// "arn:aws:iam::123456789012:user/alice". Empty means the Service's
	// own account root, "arn:aws:iam::<account>:root".
	Principal string
	// AccessKeyID is the access key that signed the call, if any.
	AccessKeyID string
	// SourceIP is the address the call came from; the zero Addr means an
	// in-process call.
	SourceIP netip.Addr
	// Plaintext reports that the call came over a connection without TLS.
	// In-process calls never do.
	Plaintext bool
	// UserAgent is the client's User-Agent, if it sent one.
	UserAgent string
	// RequestID is the id the wire server answers the call with
	// (x-amzn-RequestId), so that the audit trail can name it.
	RequestID string
}

// callerKey is the context key of a Caller.
type callerKey struct{}

// WithCaller returns a copy of ctx that makes the calls it is passed to
// on behalf of c.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the Caller that ctx carries, if any.
func CallerFrom(ctx context.Context) (Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(Caller)
	return c, ok
}
