package kds

import (
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// seqSyntax is the decimal syntax Kinesis documents for sequence numbers.
var seqSyntax = regexp.MustCompile(`^(0|[1-9][0-9]{0,128})$`)

// seqFields are the decoded parts of a sequence number.
type seqFields struct {
	created int64
	index   uint32
	epoch   uint8
	counter uint64
	arrival int64
}

// seqBigField extracts width bits of v starting at bit pos.
func seqBigField(v *big.Int, pos, width uint) uint64 {
	f := new(big.Int).Rsh(v, pos)
	mask := new(big.Int).Lsh(big.NewInt(1), width)
	mask.Sub(mask, big.NewInt(1))
	return f.And(f, mask).Uint64()
}

// seqBigCompose builds the value of a sequence number with math/big,
// reducing each field to its width the way makeSequenceNumber does.
func seqBigCompose(f seqFields) *big.Int {
	v := new(big.Int)
	put := func(x uint64, pos, width uint) {
		if width < 64 {
			x &= 1<<width - 1
		}
		v.Or(v, new(big.Int).Lsh(new(big.Int).SetUint64(x), pos))
	}
	put(2, 184, 4)
	put(uint64(f.created), 148, 36)
	put(uint64(f.index)&0xf, 144, 4)
	put(f.counter, 80, 63)
	put(uint64(f.epoch), 72, 8)
	put(uint64(f.arrival), 36, 36)
	put(uint64(f.index), 4, 32)
	put(2, 0, 4)
	return v
}

// seqBigDecode is the oracle for ParseSequenceNumber: it reports whether s
// is a valid sequence number and, if so, its fields and value.
func seqBigDecode(s string) (seqFields, *big.Int, bool) {
	if !seqSyntax.MatchString(s) {
		return seqFields{}, nil, false
	}
	v, _ := new(big.Int).SetString(s, 10)
	if v.BitLen() > 188 ||
		seqBigField(v, 184, 4) != 2 ||
		seqBigField(v, 0, 4) != 2 ||
		seqBigField(v, 144, 4) != seqBigField(v, 4, 4) ||
		seqBigField(v, 143, 1) != 0 {
		return seqFields{}, nil, false
	}
	return seqFields{
		created: int64(seqBigField(v, 148, 36)),
		index:   uint32(seqBigField(v, 4, 32)),
		epoch:   uint8(seqBigField(v, 72, 8)),
		counter: seqBigField(v, 80, 64),
		arrival: int64(seqBigField(v, 36, 36)),
	}, v, true
}

// seqToBig converts any SequenceNumber, valid or not, to a big.Int.
func seqToBig(s SequenceNumber) *big.Int {
	v := new(big.Int).SetUint64(s.hi)
	v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(s.mid))
	return v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(s.lo))
}

// seqFieldsOf reads the fields of s through its accessors.
func seqFieldsOf(s SequenceNumber) seqFields {
	return seqFields{
		created: s.shardCreated(),
		index:   s.shardIndex(),
		epoch:   s.epoch(),
		counter: s.counter(),
		arrival: s.arrival(),
	}
}

// seqMasked returns f with every field reduced to its width.
func seqMasked(f seqFields) seqFields {
	f.created &= 1<<36 - 1
	f.arrival &= 1<<36 - 1
	f.counter &= 1<<63 - 1
	return f
}

// seqMake calls makeSequenceNumber with the fields of f.
func seqMake(f seqFields) SequenceNumber {
	return makeSequenceNumber(f.created, f.index, f.epoch, f.counter, f.arrival)
}

// seqCheckRoundTrip builds a number from f and checks formatting, parsing
// and field extraction against the math/big oracle.
func seqCheckRoundTrip(t *testing.T, f seqFields) {
	t.Helper()
	sn := seqMake(f)
	want := seqMasked(f)
	if got := seqFieldsOf(sn); got != want {
		t.Fatalf("fields of makeSequenceNumber(%+v) = %+v, want %+v", f, got, want)
	}
	str := sn.String()
	if len(str) != 56 {
		t.Fatalf("makeSequenceNumber(%+v).String() = %q has %d digits, want 56", f, str, len(str))
	}
	if oracle := seqBigCompose(f).String(); str != oracle {
		t.Fatalf("makeSequenceNumber(%+v).String() = %s, want %s", f, str, oracle)
	}
	if got := string(sn.AppendDecimal([]byte("seq:"))); got != "seq:"+str {
		t.Fatalf("AppendDecimal = %q, want %q", got, "seq:"+str)
	}
	back, err := ParseSequenceNumber(str)
	if err != nil {
		t.Fatalf("ParseSequenceNumber(%s): %v", str, err)
	}
	if back != sn {
		t.Fatalf("ParseSequenceNumber(%s) = %#v, want %#v", str, back, sn)
	}
	if of, _, ok := seqBigDecode(str); !ok || of != want {
		t.Fatalf("oracle decodes %s as %+v, %v; want %+v", str, of, ok, want)
	}
}

// seqEdgeFields lists boundary values for each field.
var (
	seqEdgeTimes    = []int64{0, 1, 1_700_000_000, 1<<36 - 1}
	seqEdgeIndexes  = []uint32{0, 1, 15, 16, 0x7fffffff, 1<<32 - 1}
	seqEdgeEpochs   = []uint8{0, 1, 255}
	seqEdgeCounters = []uint64{0, 1, 1<<48 - 1, 1 << 48, 1<<63 - 1}
)

func TestSequenceNumberRoundTrip(t *testing.T) {
	for _, created := range seqEdgeTimes {
		for _, index := range seqEdgeIndexes {
			for _, epoch := range seqEdgeEpochs {
				for _, counter := range seqEdgeCounters {
					for _, arrival := range seqEdgeTimes {
						seqCheckRoundTrip(t, seqFields{created, index, epoch, counter, arrival})
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		seqCheckRoundTrip(t, seqFields{
			created: r.Int64(),
			index:   r.Uint32(),
			epoch:   uint8(r.Uint32()),
			counter: r.Uint64() >> r.UintN(64),
			arrival: r.Int64(),
		})
	}
}

func TestSequenceNumberMasking(t *testing.T) {
	sn := makeSequenceNumber(-1, 7, 3, ^uint64(0), -1)
	want := seqFields{created: 1<<36 - 1, index: 7, epoch: 3, counter: 1<<63 - 1, arrival: 1<<36 - 1}
	if got := seqFieldsOf(sn); got != want {
		t.Fatalf("fields = %+v, want %+v", got, want)
	}
	if _, err := ParseSequenceNumber(sn.String()); err != nil {
		t.Fatalf("masked number does not parse: %v", err)
	}
	// A timestamp past 2^36 seconds wraps rather than spilling into the
	// neighbouring fields.
	sn = makeSequenceNumber(1<<36+5, 0, 0, 0, 1<<37+9)
	if sn.shardCreated() != 5 || sn.arrival() != 9 || sn.counter() != 0 || sn.shardIndex() != 0 {
		t.Fatalf("wrapped fields = %+v", seqFieldsOf(sn))
	}
}

func TestSequenceNumberKnownValue(t *testing.T) {
	// The smallest and largest numbers the layout allows.
	lo := makeSequenceNumber(0, 0, 0, 0, 0)
	if got, want := lo.String(), new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 185), big.NewInt(2)).String(); got != want {
		t.Errorf("smallest = %s, want %s", got, want)
	}
	hi := makeSequenceNumber(1<<36-1, 1<<32-1, 255, 1<<63-1, 1<<36-1)
	// 2^185 + 2^184 - 1 is the top nibble 0b0010 over 184 one bits; then
	// clear the counter's top bit and turn the last nibble into 2.
	want := new(big.Int).Lsh(big.NewInt(3), 184)
	want.Sub(want, big.NewInt(1))
	want.AndNot(want, new(big.Int).Lsh(big.NewInt(1), 143))
	want.AndNot(want, big.NewInt(0xd))
	if got := hi.String(); got != want.String() {
		t.Errorf("largest = %s, want %s", got, want)
	}
	if len(lo.String()) != 56 || len(hi.String()) != 56 {
		t.Error("extremes must have 56 digits")
	}
}

func TestSequenceNumberOrdering(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for range 20000 {
		created, index, epoch := r.Int64N(1<<36), r.Uint32(), uint8(r.Uint32())
		c1 := r.Uint64N(1<<63 - 1)
		c2 := c1 + 1 + r.Uint64N(1<<63-1-c1)
		if r.IntN(2) == 0 {
			c2 = c1 + 1
		}
		a := makeSequenceNumber(created, index, epoch, c1, r.Int64N(1<<36))
		b := makeSequenceNumber(created, index, epoch, c2, r.Int64N(1<<36))
		if a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
			t.Fatalf("counter %d vs %d: Compare = %d, %d", c1, c2, a.Compare(b), b.Compare(a))
		}
		// Equal-length decimal strings must sort the same way.
		if as, bs := a.String(), b.String(); as >= bs {
			t.Fatalf("counter %d vs %d: %s >= %s", c1, c2, as, bs)
		}
	}
}

func TestSequenceNumberCompareOracle(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	pick := func() uint64 { return r.Uint64() >> r.UintN(64) }
	for range 20000 {
		a := SequenceNumber{hi: pick(), mid: pick(), lo: pick()}
		b := a
		switch r.IntN(4) {
		case 0:
			b.lo = pick()
		case 1:
			b.mid = pick()
		case 2:
			b.hi = pick()
		}
		if got, want := a.Compare(b), seqToBig(a).Cmp(seqToBig(b)); got != want {
			t.Fatalf("%#v.Compare(%#v) = %d, want %d", a, b, got, want)
		}
	}
}

// seqValid is a fixed valid number used to derive malformed ones.
var seqValid = makeSequenceNumber(1_700_000_000, 0x12345678, 1, 123456789, 1_700_000_123)

// seqBigString formats v with every field of seqValid except that the bits
// selected by clear are cleared and those in set are set.
func seqBigString(set, clear *big.Int) string {
	v := seqToBig(seqValid)
	if clear != nil {
		v.AndNot(v, clear)
	}
	if set != nil {
		v.Or(v, set)
	}
	return v.String()
}

func TestParseSequenceNumberMalformed(t *testing.T) {
	valid := seqValid.String()
	bit := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	nibble := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(0xf), n) }
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"zero", "0"},
		{"letters", "abc"},
		{"55 digits", valid[1:]},
		{"57 digits", valid + "0"},
		{"leading zero", "0" + valid[1:]},
		{"leading zero 57", "0" + valid},
		{"sign", "+" + valid[1:]},
		{"minus", "-" + valid[1:]},
		{"space", " " + valid[1:]},
		{"trailing space", valid[:55] + " "},
		{"letter inside", valid[:30] + "x" + valid[31:]},
		{"non-ascii digit", valid[:53] + "\u0663"},
		{"version nibble 1", seqBigString(bit(184), nibble(184))},
		{"version nibble 3", seqBigString(new(big.Int).Lsh(big.NewInt(3), 184), nibble(184))},
		{"trailing version 3", seqBigString(big.NewInt(3), big.NewInt(0xf))},
		{"trailing version 0", seqBigString(nil, big.NewInt(0xf))},
		{"nibble mismatch", seqBigString(nibble(144), nil)},
		{"counter top bit", seqBigString(bit(143), nil)},
		{"all nines", strings.Repeat("9", 56)},
		{"smallest 56 digits", "1" + strings.Repeat("0", 55)},
		{"129 digits", "1" + strings.Repeat("0", 128)},
		{"130 digits", "1" + strings.Repeat("0", 129)},
		{"200 digits", strings.Repeat("7", 200)},
		{"valid twice", valid + valid},
	}
	for _, tc := range tests {
		if _, _, ok := seqBigDecode(tc.in); ok {
			t.Fatalf("%s: oracle accepts %q; the test case is wrong", tc.name, tc.in)
		}
		got, err := ParseSequenceNumber(tc.in)
		if err != ErrSequenceNumberFormat {
			t.Errorf("%s: ParseSequenceNumber(%q) = %v, %v; want ErrSequenceNumberFormat", tc.name, tc.in, got, err)
		}
		if !got.IsZero() {
			t.Errorf("%s: failed parse returned non-zero %#v", tc.name, got)
		}
	}
	if _, err := ParseSequenceNumber(valid); err != nil {
		t.Fatalf("ParseSequenceNumber(%s): %v", valid, err)
	}
}

func TestSequenceNumberZero(t *testing.T) {
	var z SequenceNumber
	if !z.IsZero() || z.String() != "" {
		t.Errorf("zero value: IsZero=%v String=%q", z.IsZero(), z.String())
	}
	if got := string(z.AppendDecimal([]byte("x"))); got != "x" {
		t.Errorf("zero AppendDecimal = %q", got)
	}
	if txt, err := z.MarshalText(); err != nil || len(txt) != 0 {
		t.Errorf("zero MarshalText = %q, %v", txt, err)
	}
	if seqValid.IsZero() || z.Compare(seqValid) != -1 || seqValid.Compare(z) != 1 || z.Compare(z) != 0 {
		t.Error("zero value must sort before valid numbers")
	}
	// Even the smallest possible number is not the zero value.
	if makeSequenceNumber(0, 0, 0, 0, 0).IsZero() {
		t.Error("makeSequenceNumber(0...) is zero")
	}
}

func TestSequenceNumberText(t *testing.T) {
	type doc struct {
		Seq  SequenceNumber  `json:"seq"`
		Next *SequenceNumber `json:"next,omitempty"`
	}
	in := doc{Seq: seqValid}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"seq":"` + seqValid.String() + `"}`; string(data) != want {
		t.Fatalf("json = %s, want %s", data, want)
	}
	var out doc
	if err := json.Unmarshal(data, &out); err != nil || out != in {
		t.Fatalf("json round trip = %+v, %v", out, err)
	}
	data, err = json.Marshal(doc{})
	if err != nil || string(data) != `{"seq":""}` {
		t.Fatalf("zero json = %s, %v", data, err)
	}
	out = doc{Seq: seqValid}
	if err := json.Unmarshal(data, &out); err != nil || !out.Seq.IsZero() {
		t.Fatalf("empty text must decode to zero: %+v, %v", out, err)
	}

	sn := seqValid
	if err := sn.UnmarshalText([]byte("12345")); err != ErrSequenceNumberFormat {
		t.Fatalf("UnmarshalText(bad) = %v", err)
	}
	if sn != seqValid {
		t.Fatal("failed UnmarshalText modified the receiver")
	}
	other := makeSequenceNumber(1, 2, 3, 4, 5)
	if err := sn.UnmarshalText([]byte(other.String())); err != nil || sn != other {
		t.Fatalf("UnmarshalText = %v, %v", sn, err)
	}
}

func TestSequenceNumberAllocs(t *testing.T) {
	buf := make([]byte, 0, 128)
	if a := testing.AllocsPerRun(100, func() { buf = seqValid.AppendDecimal(buf[:0]) }); a != 0 {
		t.Errorf("AppendDecimal: %v allocations, want 0", a)
	}
	s := seqValid.String()
	if a := testing.AllocsPerRun(100, func() { _, _ = ParseSequenceNumber(s) }); a != 0 {
		t.Errorf("ParseSequenceNumber: %v allocations, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { _ = seqValid.String() }); a > 1 {
		t.Errorf("String: %v allocations, want at most 1", a)
	}
}

func FuzzParseSequenceNumber(f *testing.F) {
	pivots := []SequenceNumber{
		{},
		makeSequenceNumber(0, 0, 0, 0, 0),
		seqValid,
		makeSequenceNumber(1_700_000_000, 0x12345678, 1, 123456790, 0),
		makeSequenceNumber(1<<36-1, 1<<32-1, 255, 1<<63-1, 1<<36-1),
	}
	for _, p := range pivots[1:] {
		f.Add(p.String())
	}
	for _, s := range []string{
		"", "0", "abc", seqValid.String()[1:], seqValid.String() + "1",
		"0" + seqValid.String()[1:], strings.Repeat("9", 56),
		"1" + strings.Repeat("0", 128), strings.Repeat("5", 200),
		"49039857307708443467467104868809893875799651909875269634",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sn, err := ParseSequenceNumber(s)
		fields, v, ok := seqBigDecode(s)
		if !ok {
			if err != ErrSequenceNumberFormat || !sn.IsZero() {
				t.Fatalf("ParseSequenceNumber(%q) = %#v, %v; want ErrSequenceNumberFormat", s, sn, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("ParseSequenceNumber(%q): %v", s, err)
		}
		if got := sn.String(); got != s {
			t.Fatalf("ParseSequenceNumber(%q).String() = %q", s, got)
		}
		if got := seqFieldsOf(sn); got != fields {
			t.Fatalf("fields of %s = %+v, want %+v", s, got, fields)
		}
		if seqToBig(sn).Cmp(v) != 0 {
			t.Fatalf("value of %s = %v", s, seqToBig(sn))
		}
		if seqMake(fields) != sn {
			t.Fatalf("makeSequenceNumber(%+v) != ParseSequenceNumber(%s)", fields, s)
		}
		for _, p := range pivots {
			if got, want := sn.Compare(p), v.Cmp(seqToBig(p)); got != want {
				t.Fatalf("%s.Compare(%v) = %d, want %d", s, p, got, want)
			}
			if got, want := p.Compare(sn), seqToBig(p).Cmp(v); got != want {
				t.Fatalf("%v.Compare(%s) = %d, want %d", p, s, got, want)
			}
		}
	})
}

func FuzzSequenceNumberRoundTrip(f *testing.F) {
	f.Add(int64(0), uint32(0), uint8(0), uint64(0), int64(0))
	f.Add(int64(1<<36-1), uint32(1<<32-1), uint8(255), uint64(1<<63-1), int64(1<<36-1))
	f.Add(int64(1_700_000_000), uint32(17), uint8(3), uint64(42), int64(1_700_000_001))
	f.Add(int64(-1), uint32(5), uint8(9), ^uint64(0), int64(-1))
	f.Fuzz(func(t *testing.T, created int64, index uint32, epoch uint8, counter uint64, arrival int64) {
		seqCheckRoundTrip(t, seqFields{created, index, epoch, counter, arrival})
	})
}

func BenchmarkSequenceNumberString(b *testing.B) {
	sn := seqValid
	b.ReportAllocs()
	for b.Loop() {
		_ = sn.String()
	}
}

func BenchmarkSequenceNumberAppend(b *testing.B) {
	sn := seqValid
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = sn.AppendDecimal(buf[:0])
	}
}

func BenchmarkParseSequenceNumber(b *testing.B) {
	s := seqValid.String()
	b.ReportAllocs()
	for b.Loop() {
		_, _ = ParseSequenceNumber(s)
	}
}
