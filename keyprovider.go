package kds

import (
	"context"
	"errors"

	"github.com/kdsgo/kds/internal/aesgcm"
)

// KeyProvider is the key management service behind server-side
// encryption: it holds the KMS keys, hands out data keys under them and
// decrypts those data keys again. A stream with encryption on seals its
// records with data keys from its Service's KeyProvider (envelope
// encryption); the KMS keys themselves never leave the provider.
//
// Every Service has an in-process [KeyService]; [WithKeyProvider] plugs in
// another, such as an adapter to AWS KMS. Each call carries the context of
// the Kinesis call that needs it, so [CallerFrom] tells the provider on
// whose behalf it acts: a call without a principal of its own carries the
// root of the Service's account. Failures should be [*Error]s with the
// KMS exception codes Kinesis reports (see [ErrKMSAccessDenied],
// [ErrKMSDisabled], [ErrKMSInvalidState], [ErrKMSNotFound],
// [ErrKMSOptInRequired], [ErrKMSThrottling]); the Service passes those to
// its callers unchanged, and reports any other error as an
// InternalFailureException. A KeyProvider must be safe for concurrent
// use.
type KeyProvider interface {
	// ResolveKey returns the ARN of the KMS key that keyID names: a key ID
	// ("1234abcd-12ab-34cd-56ef-1234567890ab"), a key ARN, an alias name
	// ("alias/orders") or an alias ARN. It checks only that the key
	// exists, not that it may be used.
	ResolveKey(ctx context.Context, keyID string) (keyARN string, err error)
	// GenerateDataKey returns a new, random 256-bit data key under the KMS
	// key keyID names (in any of ResolveKey's forms), if the key is usable
	// and the caller may use it. Every call must return a key never
	// returned before: record nonces are unique per data key only.
	GenerateDataKey(ctx context.Context, keyID string) (DataKey, error)
	// Decrypt returns the plaintext of a data key that GenerateDataKey
	// encrypted under the KMS key keyARN, if that key is usable and the
	// caller may use it.
	Decrypt(ctx context.Context, keyARN string, encrypted []byte) (plaintext []byte, err error)
}

// KeyChangeCounter is what a [KeyProvider] may also implement to say when
// its keys change. Whoever holds data keys in plaintext to save calls to
// the provider (a Service's encrypted streams, an envelope.Envelope)
// compares the count with the one it saw when it got them, and asks the
// provider again once it differs, rather than only when its reuse period
// ends. [KeyService] implements it.
type KeyChangeCounter interface {
	// KeyChanges returns a count that grows with every change that may
	// make a data key unusable to someone: a key disabled or deleted, a
	// change of who may use it.
	KeyChanges() uint64
}

// DataKeySize is the size of a data key in bytes: AES-256.
const DataKeySize = aesgcm.KeySize

// DataKey is a data key as [KeyProvider.GenerateDataKey] returns it.
type DataKey struct {
	// Plaintext is the key itself, [DataKeySize] bytes. Use it, then
	// forget it.
	Plaintext []byte
	// Encrypted is the key encrypted under the KMS key, to be stored with
	// what it encrypts and given back to [KeyProvider.Decrypt].
	Encrypted []byte
	// KeyARN is the ARN of the KMS key it is encrypted under.
	KeyARN string
}

// check returns an error if dk cannot be what GenerateDataKey returns.
func (dk DataKey) check() error {
	if len(dk.Plaintext) != DataKeySize || len(dk.Encrypted) == 0 || dk.KeyARN == "" {
		return errors.New("the key provider returned a malformed data key")
	}
	return nil
}

// kmsError returns a key provider's error as a Kinesis call reports it:
// an [*Error] as it is, the context's own errors as they are, anything
// else as an InternalFailureException.
func kmsError(err error) error {
	var e *Error
	if errors.As(err, &e) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return newError(codeInternalFailure, "The key provider failed: %v", err)
}

// principalOf returns the ARN of the principal the call with context ctx
// acts as: its [Caller]'s, or root, the ARN of the account's root.
func principalOf(ctx context.Context, root string) string {
	if c, ok := CallerFrom(ctx); ok && c.Principal != "" {
		return c.Principal
	}
	return root
}

// keyContext returns the context to call the key provider with for the
// call with context ctx: ctx itself when its Caller names a principal,
// otherwise ctx with the Service's account root as the principal, so that
// a provider that Services of several accounts share knows which
// account's call it serves.
func (svc *Service) keyContext(ctx context.Context) context.Context {
	c, _ := CallerFrom(ctx)
	if c.Principal != "" {
		return ctx
	}
	c.Principal = svc.root
	return WithCaller(ctx, c)
}

// rootARN returns the ARN of an account's root user.
func rootARN(partition, account string) string {
	return "arn:" + partition + ":iam::" + account + ":root"
}
