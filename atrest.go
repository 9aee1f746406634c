package kds

import (
	"context"
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"maps"
	"sync"
	"time"
	"unsafe"

	"github.com/kdsgo/kds/internal/aesgcm"
)

// Encryption at rest. A record put while its stream encrypts is stored
// sealed: its partition key and data, as one AES-256-GCM message under a
// data key, with the 16-byte tag after them (sealOverhead bytes more in
// the arena, nothing more in its header). The nonce is the shard's index
// and the record's counter, unique within the stream, and every data key
// belongs to one stream, so no nonce repeats under a key and none needs
// storing. The additional data is the partition key's length, so that
// the header's split of the sealed bytes into key and data is
// authenticated too, at no cost in storage. The data key itself is stored
// only encrypted under the KMS key, in the segments of the records it
// sealed (see segment.dataKeys);
// its plaintext stays in the stream's dataKeyCache while in use and is
// asked of the key provider again after that.
//
// As on Kinesis, each principal that puts records gets its own data key,
// made by the key provider on its behalf and replaced after
// DataKeyReusePeriod; a principal that reads records has the provider
// decrypt their data keys on its behalf, again at most once per
// DataKeyReusePeriod and key. Writing grants no reading: a writer's first
// read of its own records has the provider decrypt their data key too,
// so a principal allowed to make data keys but not to decrypt them reads
// nothing. So a key that becomes unusable, or a principal that may no
// longer use it, is refused within that period; at once with a provider
// that counts its changes (KeyChangeCounter), such as a KeyService, whose
// every change voids what streams have cached.

// DataKeyReusePeriod is how long a stream keeps using a data key for one
// principal's puts, or a decrypted data key for one principal's reads,
// before asking its key provider again: about five minutes, as Kinesis
// rotates its data keys.
const DataKeyReusePeriod = 5 * time.Minute

// sealOverhead is how many more arena bytes a sealed record takes.
const sealOverhead = 16

// dataKey is a data key as segments store it: encrypted.
type dataKey struct {
	kmsKeyARN string // the KMS key it is encrypted under
	encrypted []byte
}

// sealRecord seals plain, a record's key (the first keyLen bytes) and
// data, in place: the result shares plain's memory and is sealOverhead
// bytes longer, which the capacity of plain must allow. sc is scratch
// space the caller owns, so that nothing is allocated per record.
func sealRecord(aead cipher.AEAD, plain []byte, keyLen uint16, sc *sealScratch, shard uint32, counter uint64) []byte {
	nonce, aad := sc.params(shard, counter, keyLen)
	return aead.Seal(plain[:0], nonce, plain, aad)
}

// sealScratch is room for the nonce (the first 12 bytes) and the
// additional data (the last 2) of one sealed record.
type sealScratch [14]byte

// params writes into sc, and returns, the nonce and the additional data
// of the record with the given counter and key length in the shard with
// the given index. The nonce is the shard index and the counter; the
// additional data is the key length, so that where the partition key
// ends and the data begins is authenticated as well as the bytes.
func (sc *sealScratch) params(shard uint32, counter uint64, keyLen uint16) (nonce, aad []byte) {
	binary.BigEndian.PutUint32(sc[:4], shard)
	binary.BigEndian.PutUint64(sc[4:12], counter)
	binary.BigEndian.PutUint16(sc[12:], keyLen)
	return sc[:12], sc[12:]
}

// grant is a use of a data key that the key provider allowed, and until
// when it stands: DataKeyReusePeriod after, or until the provider's keys
// change.
type grant struct {
	until      time.Time
	generation uint64
}

// stands reports whether g still holds at now, when the provider's
// generation is gen.
func (g grant) stands(now time.Time, gen uint64) bool {
	return now.Before(g.until) && g.generation == gen
}

// writeKey is the data key one principal's puts are sealed with.
type writeKey struct {
	key   *dataKey
	aead  cipher.AEAD
	enc   *encryption // the stream's encryption it was made for
	grant grant
}

// readGrant is a data key the key provider decrypted for one principal.
type readGrant struct {
	aead  cipher.AEAD
	grant grant
}

// readerKey identifies a readGrant.
type readerKey struct {
	principal string
	key       *dataKey
}

// dataKeyCache holds a stream's data keys in plaintext while they may be
// used without asking the key provider, and drops them once they may not:
// every put or read that finds no usable key drops all that are past
// DataKeyReusePeriod, made before the provider's keys last changed, or
// made for an encryption the stream has left, and so does TrimExpired.
type dataKeyCache struct {
	mu      sync.Mutex
	writers map[string]*writeKey // by principal
	readers map[readerKey]readGrant
}

// pruneLocked drops the data keys that may no longer be used at now,
// when the provider's count of key changes is gen and the stream's
// encryption is enc. The caller holds c.mu.
func (c *dataKeyCache) pruneLocked(now time.Time, gen uint64, enc *encryption) {
	maps.DeleteFunc(c.writers, func(_ string, w *writeKey) bool { return w.enc != enc || !w.grant.stands(now, gen) })
	maps.DeleteFunc(c.readers, func(_ readerKey, r readGrant) bool { return !r.grant.stands(now, gen) })
}

// pruneDataKeys drops the data keys the stream may no longer use.
func (s *Stream) pruneDataKeys(now time.Time) {
	c := &s.keyCache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pruneLocked(now, s.svc.keyGeneration(), s.encryption.Load())
}

// keyGeneration returns the key provider's count of key changes, or 0 if
// it keeps none.
func (svc *Service) keyGeneration() uint64 {
	if svc.keyGen == nil {
		return 0
	}
	return svc.keyGen.KeyChanges()
}

// writeKey returns the key that the records ctx's caller puts now are to
// be sealed with, or nil if the stream does not encrypt them: one atomic
// load is all an unencrypted put pays.
func (s *Stream) writeKey(ctx context.Context, now time.Time) (*writeKey, error) {
	enc := s.encryption.Load()
	if enc == nil {
		return nil, nil
	}
	svc := s.svc
	principal := principalOf(ctx, svc.root)
	gen := svc.keyGeneration()
	c := &s.keyCache
	c.mu.Lock()
	w := c.writers[principal]
	if w != nil && w.enc == enc && w.grant.stands(now, gen) {
		c.mu.Unlock()
		return w, nil
	}
	c.pruneLocked(now, gen, enc)
	c.mu.Unlock()
	dk, err := svc.kp.GenerateDataKey(svc.keyContext(ctx), enc.keyID)
	if err == nil {
		err = dk.check()
	}
	if err != nil {
		return nil, kmsError(err)
	}
	g := grant{until: now.Add(DataKeyReusePeriod), generation: gen}
	w = &writeKey{key: &dataKey{kmsKeyARN: dk.KeyARN, encrypted: dk.Encrypted}, aead: aesgcm.New(dk.Plaintext), enc: enc, grant: g}
	clear(dk.Plaintext)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.writers == nil {
		c.writers = make(map[string]*writeKey)
	}
	c.writers[principal] = w
	return w, nil
}

// encryptionType is how records sealed with w, nil for none, are stored.
func (w *writeKey) encryptionType() EncryptionType {
	if w == nil {
		return EncryptionNone
	}
	return EncryptionKMS
}

// reading is what a read needs to open sealed records: the context of the
// call (whose caller the key provider acts for), the stream, and the time.
type reading struct {
	ctx context.Context
	s   *Stream
	now time.Time
}

// opener opens the sealed records of one read.
type opener struct {
	reading
	principal string
	gen       uint64
	last      *dataKey // the data key of the previous record opened
	aead      cipher.AEAD
	buf       []byte // room for plaintexts, handed out front to back
	scratch   sealScratch
}

// openChunk is the size of the buffers plaintexts are carved from.
const openChunk = 32 << 10

func (rd reading) opener() *opener {
	svc := rd.s.svc
	return &opener{reading: rd, principal: principalOf(rd.ctx, svc.root), gen: svc.keyGeneration()}
}

// open returns the partition key and data of h, a sealed record of g with
// the given counter in the shard with the given index.
func (op *opener) open(g *segment, h *recordHeader, shard uint32, counter uint64) (string, []byte, error) {
	dk := g.keys()[h.sealedBy-1]
	if dk != op.last {
		aead, err := op.aeadFor(dk)
		if err != nil {
			return "", nil, err
		}
		op.last, op.aead = dk, aead
	}
	n := int(h.keyLen) + int(h.dataLen)
	if cap(op.buf)-len(op.buf) < n {
		op.buf = make([]byte, 0, max(n, openChunk))
	}
	nonce, aad := op.scratch.params(shard, counter, h.keyLen)
	plain, err := op.aead.Open(op.buf[len(op.buf):len(op.buf)], nonce, g.sealedBytes(h), aad)
	if err != nil {
		return "", nil, newError(codeInternalFailure, "A stored record of stream %s failed its integrity check.", op.s.name)
	}
	op.buf = op.buf[:len(op.buf)+n]
	var key string
	if h.keyLen > 0 {
		key = unsafe.String(&plain[0], int(h.keyLen))
	}
	return key, plain[h.keyLen:n:n], nil
}

// aeadFor returns dk in plaintext, from the cache or, on behalf of the
// reader, from the key provider.
func (op *opener) aeadFor(dk *dataKey) (cipher.AEAD, error) {
	c := &op.s.keyCache
	k := readerKey{op.principal, dk}
	c.mu.Lock()
	r, ok := c.readers[k]
	if ok && r.grant.stands(op.now, op.gen) {
		c.mu.Unlock()
		return r.aead, nil
	}
	c.pruneLocked(op.now, op.gen, op.s.encryption.Load())
	c.mu.Unlock()
	plain, err := op.s.svc.kp.Decrypt(op.s.svc.keyContext(op.ctx), dk.kmsKeyARN, dk.encrypted)
	if err == nil && len(plain) != DataKeySize {
		err = errors.New("the key provider returned a data key of the wrong size")
	}
	if err != nil {
		if errors.Is(err, ErrKMSAccessDenied) {
			return nil, newError(codeKMSAccessDenied, "User %s is not authorized to decrypt records in stream %s", op.principal, op.s.name)
		}
		return nil, kmsError(err)
	}
	r = readGrant{aead: aesgcm.New(plain), grant: grant{until: op.now.Add(DataKeyReusePeriod), generation: op.gen}}
	clear(plain)
	c.mu.Lock()
	if c.readers == nil {
		c.readers = make(map[readerKey]readGrant)
	}
	c.readers[k] = r
	c.mu.Unlock()
	return r.aead, nil
}
