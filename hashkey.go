package kds

import (
	"crypto/md5"
	"encoding/binary"
	"errors"
	"math/bits"
	"strconv"
)

// ErrHashKeyFormat reports a hash key string that is not a plain decimal
// integer: empty, signed, padded with spaces or leading zeros, containing
// non-digits, or longer than 39 digits.
var ErrHashKeyFormat = errors.New("kds: hash key is not a decimal integer")

// ErrHashKeyRange reports a well-formed decimal hash key whose value does not
// fit in 128 bits.
var ErrHashKeyRange = errors.New("kds: hash key is outside [0, 2^128-1]")

// HashKey is a point in the 128-bit hash key space that Kinesis uses to map
// records onto shards. It is a comparable value type; the zero value is the
// key 0.
type HashKey struct{ hi, lo uint64 }

// MaxHashKey is 2^128-1, the largest key in the hash key space.
var MaxHashKey = HashKey{^uint64(0), ^uint64(0)}

// maxHashKeyDigits is the number of decimal digits in 2^128-1.
const maxHashKeyDigits = 39

// pow10x19 is 10^19, the largest power of ten below 2^64. Decimal conversion
// works on chunks of this many digits.
const pow10x19 = 10_000_000_000_000_000_000

// NewHashKey returns the hash key whose upper 64 bits are hi and whose lower
// 64 bits are lo.
func NewHashKey(hi, lo uint64) HashKey { return HashKey{hi: hi, lo: lo} }

// ParseHashKey parses the decimal form of a hash key. The input must be "0"
// or a digit string of at most 39 digits without a leading zero, sign or
// surrounding space; otherwise ErrHashKeyFormat is returned. A well-formed
// number larger than 2^128-1 yields ErrHashKeyRange.
func ParseHashKey(s string) (HashKey, error) {
	n := len(s)
	if n == 0 || n > maxHashKeyDigits || (s[0] == '0' && n > 1) {
		return HashKey{}, ErrHashKeyFormat
	}
	// Read the digits in chunks of up to 19, the first chunk taking the
	// remainder so the others are full. Each chunk fits in a uint64.
	first := n % 19
	if first == 0 {
		first = 19
	}
	var h HashKey
	overflow := false
	for start, end := 0, first; start < n; start, end = end, end+19 {
		chunk, ok := parseDecimalChunk(s[start:end])
		if !ok {
			return HashKey{}, ErrHashKeyFormat
		}
		if start == 0 {
			h.lo = chunk
			continue
		}
		var o bool
		h, o = h.mulAddUint64(pow10x19, chunk)
		overflow = overflow || o
	}
	if overflow {
		return HashKey{}, ErrHashKeyRange
	}
	return h, nil
}

// String returns the decimal form of h without leading zeros ("0" for zero).
func (h HashKey) String() string {
	var buf [maxHashKeyDigits]byte
	return string(h.AppendDecimal(buf[:0]))
}

// AppendDecimal appends the decimal form of h, as produced by String, to b
// and returns the extended slice.
func (h HashKey) AppendDecimal(b []byte) []byte {
	if h.hi == 0 {
		return strconv.AppendUint(b, h.lo, 10)
	}
	q, r0 := h.divUint64(pow10x19)
	if q.hi == 0 {
		b = strconv.AppendUint(b, q.lo, 10)
		return appendPadded19(b, r0)
	}
	// h >= 10^38, so h / 10^38 is a single digit (at most 3).
	q, r1 := q.divUint64(pow10x19)
	b = append(b, byte('0'+q.lo))
	b = appendPadded19(b, r1)
	return appendPadded19(b, r0)
}

// Compare returns -1 if h < o, 0 if h == o and +1 if h > o.
func (h HashKey) Compare(o HashKey) int {
	switch {
	case h.hi < o.hi:
		return -1
	case h.hi > o.hi:
		return 1
	case h.lo < o.lo:
		return -1
	case h.lo > o.lo:
		return 1
	}
	return 0
}

// Less reports whether h < o.
func (h HashKey) Less(o HashKey) bool {
	return h.hi < o.hi || (h.hi == o.hi && h.lo < o.lo)
}

// PartitionKeyHash maps a partition key to its hash key the way Kinesis does:
// the MD5 digest of the key's UTF-8 bytes, read as a big-endian 128-bit
// integer. It does not allocate for keys of up to 1024 bytes.
func PartitionKeyHash(partitionKey string) HashKey {
	var sum [md5.Size]byte
	// Converting a string to a non-escaping []byte only avoids the heap for
	// very short strings, so longer keys are copied into a stack buffer
	// sized to the key to avoid clearing more memory than needed.
	switch n := len(partitionKey); {
	case n <= 32:
		sum = md5.Sum([]byte(partitionKey))
	case n <= 128:
		sum = md5Stack128(partitionKey)
	case n <= 256:
		sum = md5Stack256(partitionKey)
	case n <= 1024:
		sum = md5Stack1024(partitionKey)
	default:
		sum = md5.Sum([]byte(partitionKey))
	}
	return hashKeyFromDigest(&sum)
}

// hashKeyFromDigest reads a 16-byte digest as a big-endian 128-bit integer.
func hashKeyFromDigest(d *[md5.Size]byte) HashKey {
	return HashKey{
		hi: binary.BigEndian.Uint64(d[0:8]),
		lo: binary.BigEndian.Uint64(d[8:16]),
	}
}

// md5Stack128 hashes s (at most 128 bytes) through a stack buffer.
func md5Stack128(s string) [md5.Size]byte {
	var buf [128]byte
	return md5.Sum(buf[:copy(buf[:], s)])
}

// md5Stack256 hashes s (at most 256 bytes) through a stack buffer.
func md5Stack256(s string) [md5.Size]byte {
	var buf [256]byte
	return md5.Sum(buf[:copy(buf[:], s)])
}

// md5Stack1024 hashes s (at most 1024 bytes) through a stack buffer.
func md5Stack1024(s string) [md5.Size]byte {
	var buf [1024]byte
	return md5.Sum(buf[:copy(buf[:], s)])
}

// HashKeyRange is the inclusive range [StartingHashKey, EndingHashKey] of
// hash keys a shard covers, as DescribeStream and ListShards report it.
type HashKeyRange struct{ StartingHashKey, EndingHashKey HashKey }

// Contains reports whether Start <= h <= End.
func (r HashKeyRange) Contains(h HashKey) bool {
	return !h.Less(r.StartingHashKey) && !r.EndingHashKey.Less(h)
}

// splitHashSpace returns the hash key ranges CreateStream assigns to n
// shards: with w = floor(2^128 / n), shard i covers [i*w, (i+1)*w - 1],
// except that the last shard extends to 2^128-1. It returns nil for n < 1.
func splitHashSpace(n int) []HashKeyRange {
	if n < 1 {
		return nil
	}
	if n == 1 {
		return []HashKeyRange{{StartingHashKey: HashKey{}, EndingHashKey: MaxHashKey}}
	}
	// floor(2^128/n) equals floor((2^128-1)/n) unless n divides 2^128, in
	// which case (2^128-1) mod n is n-1 and the quotient is one short.
	w, r := MaxHashKey.divUint64(uint64(n))
	if r == uint64(n)-1 {
		w = w.addUint64(1)
	}
	ranges := make([]HashKeyRange, n)
	var start HashKey
	for i := range ranges {
		next, _ := start.add(w)
		ranges[i] = HashKeyRange{StartingHashKey: start, EndingHashKey: next.subUint64(1)}
		start = next
	}
	ranges[n-1].EndingHashKey = MaxHashKey
	return ranges
}

// add returns h+o modulo 2^128 and whether the true sum overflowed.
func (h HashKey) add(o HashKey) (sum HashKey, carry bool) {
	lo, c := bits.Add64(h.lo, o.lo, 0)
	hi, c := bits.Add64(h.hi, o.hi, c)
	return HashKey{hi: hi, lo: lo}, c != 0
}

// sub returns h-o modulo 2^128.
func (h HashKey) sub(o HashKey) HashKey {
	lo, b := bits.Sub64(h.lo, o.lo, 0)
	hi, _ := bits.Sub64(h.hi, o.hi, b)
	return HashKey{hi: hi, lo: lo}
}

// addUint64 returns h+n modulo 2^128.
func (h HashKey) addUint64(n uint64) HashKey {
	lo, c := bits.Add64(h.lo, n, 0)
	return HashKey{hi: h.hi + c, lo: lo}
}

// subUint64 returns h-n modulo 2^128.
func (h HashKey) subUint64(n uint64) HashKey {
	lo, b := bits.Sub64(h.lo, n, 0)
	return HashKey{hi: h.hi - b, lo: lo}
}

// mulUint64 returns h*n modulo 2^128.
func (h HashKey) mulUint64(n uint64) HashKey {
	hi, lo := bits.Mul64(h.lo, n)
	return HashKey{hi: hi + h.hi*n, lo: lo}
}

// mulAddUint64 returns h*m+a modulo 2^128 and whether the exact result
// needed more than 128 bits.
func (h HashKey) mulAddUint64(m, a uint64) (HashKey, bool) {
	top, hi := bits.Mul64(h.hi, m)
	carryHi, lo := bits.Mul64(h.lo, m)
	hi, c1 := bits.Add64(hi, carryHi, 0)
	lo, c2 := bits.Add64(lo, a, 0)
	hi, c3 := bits.Add64(hi, 0, c2)
	return HashKey{hi: hi, lo: lo}, top|c1|c3 != 0
}

// divUint64 returns the quotient and remainder of h divided by n. Division
// by zero yields a zero quotient and remainder instead of panicking.
func (h HashKey) divUint64(n uint64) (q HashKey, r uint64) {
	if n == 0 {
		return HashKey{}, 0
	}
	q.hi, r = h.hi/n, h.hi%n
	q.lo, r = bits.Div64(r, h.lo, n)
	return q, r
}

// decimalPairs holds the two-digit decimal strings "00" through "99"
// back to back, for converting small integers two digits at a time.
const decimalPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// putPair writes v (below 100) as two decimal digits.
func putPair(dst *[2]byte, v uint64) {
	v %= 100 // lets the compiler drop the bounds checks
	dst[0] = decimalPairs[2*v]
	dst[1] = decimalPairs[2*v+1]
}

// digits8 returns the eight ASCII digits of v (below 10^8), zero-padded,
// packed into a uint64 so that storing it little-endian puts the most
// significant digit first. The digits are separated in parallel inside the
// word: first into two 4-digit lanes of 32 bits, then four 2-digit lanes of
// 16 bits, then eight 1-digit lanes of 8 bits. Each lane's division uses a
// multiply and shift whose product stays inside its lane: n*5243>>19 equals
// n/100 for n < 43699, and n*103>>10 equals n/10 for n < 179.
func digits8(v uint64) uint64 {
	hi := v / 10000
	x := hi | (v-hi*10000)<<32
	q := (x * 5243 >> 19) & 0x0000007f_0000007f
	x = q | (x-q*100)<<16
	q = (x * 103 >> 10) & 0x000f_000f_000f_000f
	x = q | (x-q*10)<<8
	return x | 0x30303030_30303030
}

// put16Digits writes v (below 10^16) as exactly 16 decimal digits.
func put16Digits(dst *[16]byte, v uint64) {
	a := v / 1e8
	binary.LittleEndian.PutUint64(dst[0:8], digits8(a))
	binary.LittleEndian.PutUint64(dst[8:16], digits8(v-a*1e8))
}

// put19Digits writes v (below 10^19) as exactly 19 decimal digits.
func put19Digits(dst *[19]byte, v uint64) {
	top := v / 1e16
	put16Digits((*[16]byte)(dst[3:19]), v-top*1e16)
	dst[0] = byte('0' + top/100%10)
	putPair((*[2]byte)(dst[1:3]), top%100)
}

// appendPadded19 appends v (below 10^19) as exactly 19 decimal digits.
func appendPadded19(b []byte, v uint64) []byte {
	var buf [19]byte
	put19Digits(&buf, v)
	return append(b, buf[:]...)
}

// parseDecimalChunk converts a string of at most 19 ASCII digits to its
// value, reporting false if any byte is not a digit. Leading zeros are
// allowed here; callers check for them.
func parseDecimalChunk(s string) (uint64, bool) {
	var v uint64
	i := 0
	for ; i < len(s)%8; i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	for ; i+8 <= len(s); i += 8 {
		d, ok := parse8Digits(s[i : i+8])
		if !ok {
			return 0, false
		}
		v = v*1e8 + d
	}
	return v, true
}

// parse8Digits converts the first eight bytes of s, which must all be ASCII
// digits, to their value, working on all eight bytes at once. It reports
// false if any of them is not a digit.
func parse8Digits(s string) (uint64, bool) {
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	// A byte is a digit when its high nibble is 3 and adding 6 leaves the
	// high nibble at 3. Once every high nibble is 3 the additions cannot
	// carry between bytes.
	const hiNibbles = 0xf0f0f0f0_f0f0f0f0
	if x&hiNibbles|(x+0x06060606_06060606)&hiNibbles>>4 != 0x33333333_33333333 {
		return 0, false
	}
	// The first digit sits in the lowest byte. Merge neighbouring lanes
	// pairwise: bytes into 2-digit values, those into 4-digit values, and
	// those into the final 8-digit value. No lane outgrows its width.
	x -= 0x30303030_30303030
	x = (x * (1 + 10<<8)) >> 8 & 0x00ff00ff_00ff00ff
	x = (x * (1 + 100<<16)) >> 16 & 0x0000ffff_0000ffff
	return (x * (1 + 10000<<32)) >> 32, true
}
