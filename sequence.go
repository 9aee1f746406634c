package kds

import (
	"cmp"
	"errors"
	"math/bits"
)

// ErrSequenceNumberFormat reports a string that is not a sequence number this
// package could have issued.
var ErrSequenceNumberFormat = errors.New("kds: malformed sequence number")

// SequenceNumber is a Kinesis sequence number: a 188-bit integer written as a
// 56-digit decimal string. Reading it as 47 hexadecimal digits, most
// significant first, it holds
//
//	digit  0      version, always 2
//	digits 1-9    shard creation time, epoch seconds (36 bits)
//	digit  10     low four bits of the shard index
//	digits 11-26  per-shard record counter (64 bits, top bit always 0)
//	digits 27-28  stream incarnation tag (8 bits)
//	digits 29-37  record arrival time, epoch seconds (36 bits)
//	digits 38-45  shard index (32 bits)
//	digit  46     version, always 2
//
// so numbers from one shard order by counter first. SequenceNumber is a
// comparable value type; the zero value means "no sequence number" and
// formats as the empty string.
type SequenceNumber struct {
	// hi holds bits 128-187, mid bits 64-127 and lo bits 0-63.
	hi, mid, lo uint64
}

// Field widths and positions of the sequence number layout, relative to the
// limb that holds them.
const (
	seqVersion     = 2
	seqDigits      = 56
	seqTimeMask    = 1<<36 - 1
	seqCounterMask = 1<<63 - 1

	seqHiVersionShift = 56 // version nibble, bits 184-187
	seqHiCreatedShift = 20 // shard creation time, bits 148-183
	seqHiNibbleShift  = 16 // low nibble of shard index, bits 144-147
	seqHiCounterBits  = 16 // counter bits 48-63 sit in hi bits 0-15
	seqMidEpochShift  = 8  // incarnation tag, bits 72-79
	seqMidArrivalBits = 8  // arrival bits 28-35 sit in mid bits 0-7
	seqLoArrivalShift = 36 // arrival bits 0-27, bits 36-63
	seqLoIndexShift   = 4  // shard index, bits 4-35
)

// makeSequenceNumber packs the fields into a sequence number. Times are
// reduced to their low 36 bits and the counter to its low 63 bits, so the
// result is always a valid 56-digit number.
func makeSequenceNumber(shardCreated int64, shardIndex uint32, epoch uint8, counter uint64, arrival int64) SequenceNumber {
	created := uint64(shardCreated) & seqTimeMask
	arr := uint64(arrival) & seqTimeMask
	idx := uint64(shardIndex)
	counter &= seqCounterMask
	return SequenceNumber{
		hi: seqVersion<<seqHiVersionShift |
			created<<seqHiCreatedShift |
			(idx&0xf)<<seqHiNibbleShift |
			counter>>(64-seqHiCounterBits),
		mid: counter<<seqHiCounterBits |
			uint64(epoch)<<seqMidEpochShift |
			arr>>(36-seqMidArrivalBits),
		lo: arr<<seqLoArrivalShift |
			idx<<seqLoIndexShift |
			seqVersion,
	}
}

// shardCreated returns the shard creation time in epoch seconds.
func (s SequenceNumber) shardCreated() int64 {
	return int64((s.hi >> seqHiCreatedShift) & seqTimeMask)
}

// shardIndex returns the 32-bit shard index.
func (s SequenceNumber) shardIndex() uint32 {
	return uint32(s.lo >> seqLoIndexShift)
}

// epoch returns the stream incarnation tag.
func (s SequenceNumber) epoch() uint8 {
	return uint8(s.mid >> seqMidEpochShift)
}

// counter returns the per-shard record counter.
func (s SequenceNumber) counter() uint64 {
	return (s.hi&(1<<seqHiCounterBits-1))<<(64-seqHiCounterBits) | s.mid>>seqHiCounterBits
}

// arrival returns the record arrival time in epoch seconds.
func (s SequenceNumber) arrival() int64 {
	return int64((s.mid&(1<<seqMidArrivalBits-1))<<(36-seqMidArrivalBits) | s.lo>>seqLoArrivalShift)
}

// valid reports whether s follows the version-2 layout.
func (s SequenceNumber) valid() bool {
	return s.hi>>seqHiVersionShift == seqVersion &&
		s.lo&0xf == seqVersion &&
		(s.hi>>seqHiNibbleShift)&0xf == (s.lo>>seqLoIndexShift)&0xf &&
		s.hi&(1<<(seqHiCounterBits-1)) == 0
}

// IsZero reports whether s is the zero value, meaning no sequence number.
func (s SequenceNumber) IsZero() bool {
	return s.hi|s.mid|s.lo == 0
}

// Compare returns -1 if s < o, 0 if s == o and +1 if s > o, comparing the
// numeric values. The zero value sorts before every real sequence number.
func (s SequenceNumber) Compare(o SequenceNumber) int {
	switch {
	case s.hi != o.hi:
		return cmp.Compare(s.hi, o.hi)
	case s.mid != o.mid:
		return cmp.Compare(s.mid, o.mid)
	}
	return cmp.Compare(s.lo, o.lo)
}

// String returns the 56-digit decimal form of s, or "" for the zero value.
func (s SequenceNumber) String() string {
	if s.IsZero() {
		return ""
	}
	var buf [seqDigits]byte
	return string(s.AppendDecimal(buf[:0]))
}

// AppendDecimal appends the decimal form of s, as produced by String, to b
// and returns the extended slice. It appends nothing for the zero value.
func (s SequenceNumber) AppendDecimal(b []byte) []byte {
	if s.IsZero() {
		return b
	}
	// The value lies in [2^185, 1.5*2^185), which is 56 digits long: an
	// 18-digit head followed by two 19-digit chunks. hi < 2^60 < 10^19 and
	// the intermediate quotient's upper limb stays below 10^19 as well, so
	// none of these divisions can overflow.
	qHi, r := bits.Div64(s.hi, s.mid, pow10x19)
	qLo, low := bits.Div64(r, s.lo, pow10x19)
	head, middle := bits.Div64(qHi, qLo, pow10x19)

	var buf [seqDigits]byte
	top := head / 1e16
	putPair((*[2]byte)(buf[0:2]), top)
	put16Digits((*[16]byte)(buf[2:18]), head-top*1e16)
	put19Digits((*[19]byte)(buf[18:37]), middle)
	put19Digits((*[19]byte)(buf[37:56]), low)
	return append(b, buf[:]...)
}

// ParseSequenceNumber parses the 56-digit decimal form of a sequence number.
// It returns ErrSequenceNumberFormat unless s is a plain decimal integer
// (no sign, spaces or leading zeros) whose value follows the version-2
// layout described on SequenceNumber.
func ParseSequenceNumber(s string) (SequenceNumber, error) {
	// Every valid number has exactly 56 digits, so anything longer or
	// shorter is rejected before looking at the digits.
	if len(s) != seqDigits || s[0] == '0' {
		return SequenceNumber{}, ErrSequenceNumberFormat
	}
	head, ok1 := parseDecimalChunk(s[0:18])
	middle, ok2 := parseDecimalChunk(s[18:37])
	low, ok3 := parseDecimalChunk(s[37:56])
	if !(ok1 && ok2 && ok3) {
		return SequenceNumber{}, ErrSequenceNumberFormat
	}
	// value = (head*10^19 + middle)*10^19 + low. The 128-bit partial is
	// below 10^37 and the full value below 10^56 < 2^187, so hi never
	// overflows.
	tHi, tLo := bits.Mul64(head, pow10x19)
	tLo, c := bits.Add64(tLo, middle, 0)
	tHi += c

	pHi, lo := bits.Mul64(tLo, pow10x19)
	hi, mid := bits.Mul64(tHi, pow10x19)
	mid, c = bits.Add64(mid, pHi, 0)
	hi += c
	lo, c = bits.Add64(lo, low, 0)
	mid, c = bits.Add64(mid, 0, c)
	hi += c

	v := SequenceNumber{hi: hi, mid: mid, lo: lo}
	if !v.valid() {
		return SequenceNumber{}, ErrSequenceNumberFormat
	}
	return v, nil
}

// MarshalText implements encoding.TextMarshaler. The zero value encodes as
// empty text.
func (s SequenceNumber) MarshalText() ([]byte, error) {
	return s.AppendDecimal(make([]byte, 0, seqDigits)), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. Empty text decodes to
// the zero value; anything else must be accepted by ParseSequenceNumber, and
// on failure s is left unchanged.
func (s *SequenceNumber) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = SequenceNumber{}
		return nil
	}
	v, err := ParseSequenceNumber(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
