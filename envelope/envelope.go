package envelope

import (
	"context"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/internal/aesgcm"
)

// Bounds on the use of one data key; see the package documentation.
const (
	// DefaultMaxMessages is how many payloads a data key seals by default:
	// far below MaxMessagesLimit.
	DefaultMaxMessages = 1 << 20
	// MaxMessagesLimit is the most payloads [WithMaxMessages] lets a data
	// key seal: 2^32, the bound NIST SP 800-38D sets on GCM with random
	// 96-bit nonces under one key, past which a repeated nonce (which
	// would expose the key's authentication) grows too likely.
	MaxMessagesLimit = 1 << 32
	// DefaultMaxAge is how long a data key is used by default.
	DefaultMaxAge = 5 * time.Minute
)

// version is the format version of sealed payloads.
const version = 1

const (
	nonceSize = 12
	tagSize   = 16
)

// Errors of Open. Errors of the key provider are returned as they are.
var (
	// ErrMalformed: the bytes are not a sealed payload of a version this
	// package reads.
	ErrMalformed = errors.New("envelope: not a sealed payload")
	// ErrAuthentication: the payload or its header was changed, or it
	// was not sealed under the data key it names.
	ErrAuthentication = errors.New("envelope: the sealed payload failed authentication")
	// ErrUnexpectedKey: the payload names a KMS key the Envelope does not
	// open (see [WithOpenKeys]).
	ErrUnexpectedKey = errors.New("envelope: the payload was sealed under a KMS key this Envelope does not open")
)

// Envelope seals and opens payloads under data keys from a KMS key. It is
// safe for concurrent use, by several principals too: the data keys the
// provider makes or decrypts for one caller serve that caller only.
type Envelope struct {
	kp      kds.KeyProvider
	changes kds.KeyChangeCounter // kp's, if it has one
	keyID   string
	cfg     config

	accepted atomic.Pointer[[]string] // ARNs of the KMS keys Open accepts; nil until resolved

	mu      sync.Mutex
	sealing map[string]*sealKey     // the data key each principal seals with
	opened  map[openedKey]openGrant // data keys decrypted for a principal
}

type config struct {
	maxMessages int
	maxAge      time.Duration
	clock       kds.Clock
	openKeys    []string
}

// Option changes how an Envelope uses its data keys.
type Option func(*config)

// WithMaxMessages sets how many payloads one data key seals, from 1 to
// [MaxMessagesLimit]; default [DefaultMaxMessages].
func WithMaxMessages(n int) Option { return func(c *config) { c.maxMessages = n } }

// WithMaxAge sets how long one data key is used to seal, and how long one
// decrypted for a caller opens that caller's payloads without asking the
// key provider again, above 0; default [DefaultMaxAge].
func WithMaxAge(d time.Duration) Option { return func(c *config) { c.maxAge = d } }

// WithClock sets the clock that WithMaxAge is measured on; default
// [kds.RealClock].
func WithClock(clock kds.Clock) Option { return func(c *config) { c.clock = clock } }

// WithOpenKeys makes Open accept payloads sealed under the KMS keys
// keyIDs name (in any form New takes) as well as under the Envelope's own
// key, for a consumer that reads payloads of several producers on
// purpose.
func WithOpenKeys(keyIDs ...string) Option {
	return func(c *config) { c.openKeys = append(c.openKeys, keyIDs...) }
}

// New returns an Envelope that seals under the KMS key keyID names (a key
// ID, key ARN, alias name or alias ARN) of kp, and opens what was sealed
// under that key, or under a key [WithOpenKeys] names, by any Envelope
// over kp. The names are resolved to key ARNs the first time Open needs
// them.
func New(kp kds.KeyProvider, keyID string, opts ...Option) (*Envelope, error) {
	c := config{maxMessages: DefaultMaxMessages, maxAge: DefaultMaxAge, clock: kds.RealClock{}}
	for _, o := range opts {
		o(&c)
	}
	var errs []error
	if kp == nil {
		errs = append(errs, errors.New("envelope: the key provider is nil"))
	}
	if keyID == "" {
		errs = append(errs, errors.New("envelope: no KMS key named"))
	}
	if c.maxMessages < 1 || int64(c.maxMessages) > MaxMessagesLimit {
		errs = append(errs, fmt.Errorf("envelope: WithMaxMessages(%d) is not between 1 and %d", c.maxMessages, int64(MaxMessagesLimit)))
	}
	if c.maxAge <= 0 {
		errs = append(errs, fmt.Errorf("envelope: WithMaxAge(%v) is not positive", c.maxAge))
	}
	if c.clock == nil {
		errs = append(errs, errors.New("envelope: WithClock: the clock is nil"))
	}
	if slices.Contains(c.openKeys, "") {
		errs = append(errs, errors.New("envelope: WithOpenKeys: an empty key name"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	e := &Envelope{kp: kp, keyID: keyID, cfg: c, sealing: make(map[string]*sealKey), opened: make(map[openedKey]openGrant)}
	e.changes, _ = kp.(kds.KeyChangeCounter)
	return e, nil
}

// Seal returns plaintext sealed under the data key ctx's caller seals
// with, asking the key provider for a new one on the caller's behalf when
// it has none, its current one is used up or too old, or the provider's
// keys changed since it was made.
func (e *Envelope) Seal(ctx context.Context, plaintext []byte) ([]byte, error) {
	k, err := e.sealKey(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(k.header), len(k.header)+nonceSize+len(plaintext)+tagSize)
	copy(out, k.header)
	nonce := out[len(out) : len(out)+nonceSize]
	rand.Read(nonce) // never fails
	out = out[:len(out)+nonceSize]
	return k.aead.Seal(out, nonce, plaintext, k.header), nil
}

// sealKey returns the data key to seal one payload with, counting the use.
func (e *Envelope) sealKey(ctx context.Context) (*sealKey, error) {
	now, gen, principal := e.cfg.clock.Now(), e.generation(), principalOf(ctx)
	e.mu.Lock()
	if k := e.sealing[principal]; k != nil && k.usable(now, gen) {
		k.left--
		e.mu.Unlock()
		return k, nil
	}
	e.mu.Unlock()
	dk, err := e.kp.GenerateDataKey(ctx, e.keyID)
	if err != nil {
		return nil, err
	}
	if len(dk.Plaintext) != kds.DataKeySize || len(dk.KeyARN) > 0xffff || len(dk.Encrypted) > 0xffff {
		return nil, errors.New("envelope: the key provider returned a malformed data key")
	}
	aead := aesgcm.New(dk.Plaintext)
	clear(dk.Plaintext)
	header := make([]byte, 0, 1+2+len(dk.KeyARN)+2+len(dk.Encrypted))
	header = append(header, version)
	header = binary.BigEndian.AppendUint16(header, uint16(len(dk.KeyARN)))
	header = append(header, dk.KeyARN...)
	header = binary.BigEndian.AppendUint16(header, uint16(len(dk.Encrypted)))
	header = append(header, dk.Encrypted...)
	k := &sealKey{aead: aead, header: header, left: e.cfg.maxMessages - 1, lease: lease{until: now.Add(e.cfg.maxAge), gen: gen}}
	e.mu.Lock()
	keep(e.sealing, principal, k, now, gen)
	e.mu.Unlock()
	return k, nil
}

// Open returns the plaintext of a payload that an Envelope sealed under a
// KMS key this one opens, asking the key provider, on behalf of ctx's
// caller, to decrypt its data key unless the provider did so for the same
// caller within [WithMaxAge] and its keys have not changed since. A
// payload under any other key is refused with [ErrUnexpectedKey] before
// the provider is asked.
func (e *Envelope) Open(ctx context.Context, sealed []byte) ([]byte, error) {
	h, err := parse(sealed)
	if err != nil {
		return nil, err
	}
	accepted, err := e.acceptedKeys(ctx)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(accepted, h.keyARN) {
		return nil, ErrUnexpectedKey
	}
	aead, err := e.openKey(ctx, h)
	if err != nil {
		return nil, err
	}
	plain, err := aead.Open(nil, h.nonce, h.ciphertext, h.header)
	if err != nil {
		return nil, ErrAuthentication
	}
	return plain, nil
}

// acceptedKeys returns the ARNs of the KMS keys Open accepts, having the
// key provider resolve their names the first time.
func (e *Envelope) acceptedKeys(ctx context.Context) ([]string, error) {
	if p := e.accepted.Load(); p != nil {
		return *p, nil
	}
	var arns []string
	for _, name := range append([]string{e.keyID}, e.cfg.openKeys...) {
		arn, err := e.kp.ResolveKey(ctx, name)
		if err != nil {
			return nil, err
		}
		arns = append(arns, arn)
	}
	e.accepted.Store(&arns)
	return arns, nil
}

// openKey returns the data key of h, decrypting it if need be.
func (e *Envelope) openKey(ctx context.Context, h parsed) (cipher.AEAD, error) {
	now, gen := e.cfg.clock.Now(), e.generation()
	id := openedKey{principalOf(ctx), h.keyARN, string(h.encryptedKey)}
	e.mu.Lock()
	g, ok := e.opened[id]
	e.mu.Unlock()
	if ok && g.usable(now, gen) {
		return g.aead, nil
	}
	plain, err := e.kp.Decrypt(ctx, h.keyARN, h.encryptedKey)
	if err != nil {
		return nil, err
	}
	if len(plain) != kds.DataKeySize {
		return nil, errors.New("envelope: the key provider returned a data key of the wrong size")
	}
	g = openGrant{aead: aesgcm.New(plain), lease: lease{until: now.Add(e.cfg.maxAge), gen: gen}}
	clear(plain)
	e.mu.Lock()
	keep(e.opened, id, g, now, gen)
	e.mu.Unlock()
	return g.aead, nil
}

// parsed is a sealed payload taken apart.
type parsed struct {
	header       []byte // the additional data: everything before the nonce
	keyARN       string
	encryptedKey []byte
	nonce        []byte
	ciphertext   []byte
}

// parse takes a sealed payload apart.
func parse(b []byte) (parsed, error) {
	if len(b) == 0 {
		return parsed{}, ErrMalformed
	}
	if b[0] != version {
		return parsed{}, fmt.Errorf("%w: version %d", ErrMalformed, b[0])
	}
	rest := b[1:]
	field := func() ([]byte, bool) {
		if len(rest) < 2 {
			return nil, false
		}
		n := int(binary.BigEndian.Uint16(rest))
		if len(rest) < 2+n || n == 0 {
			return nil, false
		}
		f := rest[2 : 2+n]
		rest = rest[2+n:]
		return f, true
	}
	arn, ok1 := field()
	key, ok2 := field()
	if !ok1 || !ok2 || len(rest) < nonceSize+tagSize {
		return parsed{}, fmt.Errorf("%w: truncated", ErrMalformed)
	}
	headerLen := len(b) - len(rest)
	return parsed{
		header:       b[:headerLen],
		keyARN:       string(arn),
		encryptedKey: key,
		nonce:        rest[:nonceSize],
		ciphertext:   rest[nonceSize:],
	}, nil
}
