package kds

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"

	"github.com/kdsgo/kds/internal/aesgcm"
)

// tokenVersion prefixes every token, as Kinesis's shard iterators begin
// with these eight bytes.
var tokenVersion = [8]byte{0, 0, 0, 0, 0, 0, 0, 1}

// The kinds of token, the first byte of every payload, so that a token of
// one kind is never taken for another.
const (
	tokenKindIterator    = 'I'
	tokenKindListShards  = 'S'
	tokenKindListStreams = 'L'
	tokenKindConsumers   = 'C'
)

// tokenSealer makes and opens the opaque tokens a Service hands out (shard
// iterators and pagination tokens). A token is base64 of the version prefix,
// a random nonce and the AES-256-GCM sealed payload, padded to whole 16-byte
// blocks. The key is random per Service (a data directory keeps it), so a
// token from another Service, or one altered by a single bit, does not open.
type tokenSealer struct {
	key  [32]byte
	aead cipher.AEAD
}

// newTokenKey returns a random key for a tokenSealer.
func newTokenKey() [32]byte {
	var key [32]byte
	if _, err := rand.Read(key[:]); err != nil {
		panic("kds: no randomness for token key: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	return key
}

// newTokenSealer returns the sealer of tokens under key. A Service keeps
// its key in its data directory, if it has one, so that its tokens stay
// valid when it is opened again.
func newTokenSealer(key [32]byte) tokenSealer {
	return tokenSealer{key: key, aead: aesgcm.New(key[:])}
}

// seal returns the token for payload.
func (t tokenSealer) seal(payload []byte) string {
	if pad := len(payload) % 16; pad != 0 {
		payload = append(payload, make([]byte, 16-pad)...)
	}
	buf := make([]byte, 0, len(tokenVersion)+t.aead.NonceSize()+len(payload)+t.aead.Overhead())
	buf = append(buf, tokenVersion[:]...)
	nonce := buf[len(buf) : len(buf)+t.aead.NonceSize()]
	rand.Read(nonce)
	buf = buf[:len(buf)+len(nonce)]
	buf = t.aead.Seal(buf, nonce, payload, tokenVersion[:])
	return base64.StdEncoding.EncodeToString(buf)
}

// open returns the payload of a token made by seal (with its zero padding),
// or false if tok is not one.
func (t tokenSealer) open(tok string) ([]byte, bool) {
	raw, err := base64.StdEncoding.Strict().DecodeString(tok)
	ns := t.aead.NonceSize()
	if err != nil || len(raw) < len(tokenVersion)+ns+t.aead.Overhead() || [8]byte(raw[:8]) != tokenVersion {
		return nil, false
	}
	nonce := raw[8 : 8+ns]
	payload, err := t.aead.Open(nil, nonce, raw[8+ns:], tokenVersion[:])
	return payload, err == nil
}

// tokenReader decodes the fixed-layout fields of a token payload. Reading
// past the end sets bad instead of panicking.
type tokenReader struct {
	b   []byte
	bad bool
}

func (r *tokenReader) take(n int) []byte {
	if r.bad || len(r.b) < n {
		r.bad = true
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *tokenReader) uint64() uint64 { return binary.BigEndian.Uint64(r.take(8)) }
func (r *tokenReader) uint32() uint32 { return binary.BigEndian.Uint32(r.take(4)) }
func (r *tokenReader) byte() byte     { return r.take(1)[0] }
func (r *tokenReader) string() string { return string(r.take(int(r.byte()))) }

// appendTokenString appends a length-prefixed string of at most 255 bytes.
func appendTokenString(b []byte, s string) []byte {
	if len(s) > 255 {
		s = s[:255]
	}
	return append(append(b, byte(len(s))), s...)
}
