package envelope

import (
	"context"
	"crypto/cipher"
	"maps"
	"time"

	"github.com/kdsgo/kds"
)

// The data keys an Envelope holds in plaintext, so that it need not ask
// the key provider for every payload. Each serves the principal it was
// made or decrypted for only, until its lease ends: after WithMaxAge, or
// as soon as the provider reports a change to its keys, whichever comes
// first.

// maxCached is how many data keys an Envelope keeps for sealing, and
// separately for opening, before it forgets those it may no longer use
// (and, if none is, all of them).
const maxCached = 128

// lease is how long a data key may be used without the provider: until a
// time, and while the provider's count of key changes stays gen.
type lease struct {
	until time.Time
	gen   uint64
}

// usable reports whether the lease holds at now, when the provider's
// count of changes is gen.
func (l lease) usable(now time.Time, gen uint64) bool {
	return now.Before(l.until) && l.gen == gen
}

// sealKey is the data key one principal seals with, and how much it may
// still be used.
type sealKey struct {
	aead   cipher.AEAD
	header []byte // version, key ARN and encrypted data key, as written
	left   int    // payloads it may still seal
	lease
}

// usable reports whether k may seal another payload.
func (k *sealKey) usable(now time.Time, gen uint64) bool {
	return k.left > 0 && k.lease.usable(now, gen)
}

// openedKey identifies a data key decrypted for a principal: the
// principal, the KMS key the data key is encrypted under and its
// encrypted form.
type openedKey struct {
	principal, keyARN, encrypted string
}

// openGrant is a data key the provider decrypted for one principal.
type openGrant struct {
	aead cipher.AEAD
	lease
}

// keep stores v under k in m, first dropping what may no longer be used
// if m is full, and everything if that leaves it full still. The caller
// holds the Envelope's lock.
func keep[K comparable, V interface {
	usable(time.Time, uint64) bool
}](m map[K]V, k K, v V, now time.Time, gen uint64) {
	if len(m) >= maxCached {
		maps.DeleteFunc(m, func(_ K, old V) bool { return !old.usable(now, gen) })
		if len(m) >= maxCached {
			clear(m)
		}
	}
	m[k] = v
}

// generation returns the provider's count of key changes, or 0 if it
// keeps none.
func (e *Envelope) generation() uint64 {
	if e.changes == nil {
		return 0
	}
	return e.changes.KeyChanges()
}

// principalOf returns the principal ctx's call acts as, "" for the
// provider's default.
func principalOf(ctx context.Context) string {
	c, _ := kds.CallerFrom(ctx)
	return c.Principal
}
