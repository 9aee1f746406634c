package kds

import (
	"crypto/md5"
	"encoding/binary"
	"fmt"
	"math/big"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// hkMaxString is the decimal form of 2^128-1.
const hkMaxString = "340282366920938463463374607431768211455"

// hkTwo128 is 2^128, the size of the hash key space.
var hkTwo128 = new(big.Int).Lsh(big.NewInt(1), 128)

// hkWellFormed is the syntax ParseHashKey accepts before the range check.
var hkWellFormed = regexp.MustCompile(`^(0|[1-9][0-9]{0,38})$`)

// hkToBig converts a hash key to a big.Int.
func hkToBig(h HashKey) *big.Int {
	v := new(big.Int).SetUint64(h.hi)
	v.Lsh(v, 64)
	return v.Or(v, new(big.Int).SetUint64(h.lo))
}

// hkFromBig reduces v modulo 2^128 and converts it to a hash key.
func hkFromBig(v *big.Int) HashKey {
	m := new(big.Int).Mod(v, hkTwo128)
	lo := new(big.Int).And(m, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(m, 64).Uint64()
	return HashKey{hi: hi, lo: lo}
}

// hkMustParse parses s or fails the test.
func hkMustParse(t testing.TB, s string) HashKey {
	t.Helper()
	h, err := ParseHashKey(s)
	if err != nil {
		t.Fatalf("ParseHashKey(%q): %v", s, err)
	}
	return h
}

func TestParseHashKey(t *testing.T) {
	tests := []struct {
		in      string
		want    HashKey
		wantErr error
	}{
		{in: "0", want: HashKey{}},
		{in: "1", want: HashKey{lo: 1}},
		{in: "10", want: HashKey{lo: 10}},
		{in: "9999999999999999999", want: HashKey{lo: 9999999999999999999}},
		{in: "10000000000000000000", want: HashKey{lo: 10000000000000000000}},
		{in: "18446744073709551615", want: HashKey{lo: ^uint64(0)}},
		{in: "18446744073709551616", want: HashKey{hi: 1}},
		{in: "170141183460469231731687303715884105728", want: HashKey{hi: 1 << 63}},
		{in: hkMaxString, want: MaxHashKey},
		{in: "340282366920938463463374607431768211456", wantErr: ErrHashKeyRange},
		{in: "999999999999999999999999999999999999999", wantErr: ErrHashKeyRange},
		{in: "400000000000000000000000000000000000000", wantErr: ErrHashKeyRange},
		{in: "", wantErr: ErrHashKeyFormat},
		{in: "00", wantErr: ErrHashKeyFormat},
		{in: "01", wantErr: ErrHashKeyFormat},
		{in: "-1", wantErr: ErrHashKeyFormat},
		{in: "+1", wantErr: ErrHashKeyFormat},
		{in: "-0", wantErr: ErrHashKeyFormat},
		{in: " 1", wantErr: ErrHashKeyFormat},
		{in: "1 ", wantErr: ErrHashKeyFormat},
		{in: "1a", wantErr: ErrHashKeyFormat},
		{in: "1e5", wantErr: ErrHashKeyFormat},
		{in: "1_000", wantErr: ErrHashKeyFormat},
		{in: "0x10", wantErr: ErrHashKeyFormat},
		{in: "\u0663", wantErr: ErrHashKeyFormat},
		{in: "1" + strings.Repeat("0", 39), wantErr: ErrHashKeyFormat},
		{in: strings.Repeat("9", 40), wantErr: ErrHashKeyFormat},
		{in: "0" + hkMaxString, wantErr: ErrHashKeyFormat},
		{in: "34028236692093846346337460743176821145/", wantErr: ErrHashKeyFormat},
		{in: "99999999999999999999999999999999999999:", wantErr: ErrHashKeyFormat},
	}
	for _, tc := range tests {
		got, err := ParseHashKey(tc.in)
		if err != tc.wantErr {
			t.Errorf("ParseHashKey(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			continue
		}
		if got != tc.want {
			t.Errorf("ParseHashKey(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("ParseHashKey(%q).String() = %q", tc.in, got.String())
		}
	}
}

func TestHashKeyString(t *testing.T) {
	tests := []struct {
		in   HashKey
		want string
	}{
		{HashKey{}, "0"},
		{NewHashKey(0, 7), "7"},
		{NewHashKey(0, ^uint64(0)), "18446744073709551615"},
		{NewHashKey(1, 0), "18446744073709551616"},
		{NewHashKey(1<<63, 0), "170141183460469231731687303715884105728"},
		{MaxHashKey, hkMaxString},
		// 10^38 and its neighbours exercise the three-chunk boundary.
		{hkFromBig(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)), "1" + strings.Repeat("0", 38)},
		{hkFromBig(new(big.Int).Exp(big.NewInt(10), big.NewInt(38), nil)).subUint64(1), strings.Repeat("9", 38)},
		{hkFromBig(new(big.Int).Exp(big.NewInt(10), big.NewInt(19), nil)), "1" + strings.Repeat("0", 19)},
		{hkFromBig(new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil)).addUint64(5), "1" + strings.Repeat("0", 19) + "5"},
	}
	for _, tc := range tests {
		if got := tc.in.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.in, got, tc.want)
		}
		if got := string(tc.in.AppendDecimal([]byte("x="))); got != "x="+tc.want {
			t.Errorf("%#v.AppendDecimal = %q, want %q", tc.in, got, "x="+tc.want)
		}
	}

	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		h := NewHashKey(r.Uint64()>>r.UintN(64), r.Uint64()>>r.UintN(64))
		if got, want := h.String(), hkToBig(h).String(); got != want {
			t.Fatalf("%#v.String() = %q, want %q", h, got, want)
		}
	}
}

func TestHashKeyCompare(t *testing.T) {
	keys := []HashKey{
		{}, NewHashKey(0, 1), NewHashKey(0, ^uint64(0)), NewHashKey(1, 0),
		NewHashKey(1, 1), NewHashKey(1<<63, 0), NewHashKey(^uint64(0), 0), MaxHashKey,
	}
	for i, a := range keys {
		for j, b := range keys {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := a.Compare(b); got != want {
				t.Errorf("%#v.Compare(%#v) = %d, want %d", a, b, got, want)
			}
			if got := a.Less(b); got != (want < 0) {
				t.Errorf("%#v.Less(%#v) = %v", a, b, got)
			}
		}
	}
}

func TestHashKeyRangeContains(t *testing.T) {
	r := HashKeyRange{StartingHashKey: NewHashKey(1, 5), EndingHashKey: NewHashKey(2, 0)}
	tests := []struct {
		h    HashKey
		want bool
	}{
		{NewHashKey(1, 4), false},
		{NewHashKey(1, 5), true},
		{NewHashKey(1, ^uint64(0)), true},
		{NewHashKey(2, 0), true},
		{NewHashKey(2, 1), false},
		{HashKey{}, false},
		{MaxHashKey, false},
	}
	for _, tc := range tests {
		if got := r.Contains(tc.h); got != tc.want {
			t.Errorf("Contains(%v) = %v, want %v", tc.h, got, tc.want)
		}
	}
	all := HashKeyRange{EndingHashKey: MaxHashKey}
	if !all.Contains(HashKey{}) || !all.Contains(MaxHashKey) {
		t.Error("full range must contain both ends")
	}
	point := HashKeyRange{StartingHashKey: NewHashKey(3, 3), EndingHashKey: NewHashKey(3, 3)}
	if !point.Contains(NewHashKey(3, 3)) || point.Contains(NewHashKey(3, 4)) {
		t.Error("single-key range misbehaves")
	}
}

func TestHashKeyFromPartitionKey(t *testing.T) {
	if got, want := PartitionKeyHash("a").String(), "16955237001963240173058271559858726497"; got != want {
		t.Errorf(`PartitionKeyHash("a") = %s, want %s`, got, want)
	}
	for _, n := range []int{0, 1, 31, 32, 33, 100, 128, 129, 255, 256, 257, 1000, 1024, 1025, 5000} {
		key := strings.Repeat("é", n/2) + strings.Repeat("k", n%2)
		sum := md5.Sum([]byte(key))
		want := new(big.Int).SetBytes(sum[:])
		if got := hkToBig(PartitionKeyHash(key)); got.Cmp(want) != 0 {
			t.Errorf("PartitionKeyHash(len %d) = %v, want %v", len(key), got, want)
		}
	}
}

func TestHashKeyPartitionHashAllocs(t *testing.T) {
	for _, n := range []int{0, 1, 32, 33, 64, 128, 129, 256, 257, 1024} {
		key := strings.Repeat("x", n)
		if a := testing.AllocsPerRun(100, func() { PartitionKeyHash(key) }); a != 0 {
			t.Errorf("PartitionKeyHash with a %d-byte key: %v allocations, want 0", n, a)
		}
	}
}

func TestHashKeyAppendAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	if a := testing.AllocsPerRun(100, func() { MaxHashKey.AppendDecimal(buf[:0]) }); a != 0 {
		t.Errorf("AppendDecimal: %v allocations, want 0", a)
	}
	if a := testing.AllocsPerRun(100, func() { _, _ = ParseHashKey(hkMaxString) }); a != 0 {
		t.Errorf("ParseHashKey: %v allocations, want 0", a)
	}
}

func TestSplitHashSpace(t *testing.T) {
	tests := []struct {
		n    int
		want []string // alternating start and end of each shard
	}{
		{1, []string{"0", hkMaxString}},
		{2, []string{
			"0", "170141183460469231731687303715884105727",
			"170141183460469231731687303715884105728", hkMaxString,
		}},
		{3, []string{
			"0", "113427455640312821154458202477256070484",
			"113427455640312821154458202477256070485", "226854911280625642308916404954512140969",
			"226854911280625642308916404954512140970", hkMaxString,
		}},
		{4, []string{
			"0", "85070591730234615865843651857942052863",
			"85070591730234615865843651857942052864", "170141183460469231731687303715884105727",
			"170141183460469231731687303715884105728", "255211775190703847597530955573826158591",
			"255211775190703847597530955573826158592", hkMaxString,
		}},
	}
	for _, tc := range tests {
		got := splitHashSpace(tc.n)
		var flat []string
		for _, r := range got {
			flat = append(flat, r.StartingHashKey.String(), r.EndingHashKey.String())
		}
		if fmt.Sprint(flat) != fmt.Sprint(tc.want) {
			t.Errorf("splitHashSpace(%d) =\n%v\nwant\n%v", tc.n, flat, tc.want)
		}
	}
	for _, n := range []int{0, -1, -1 << 62} {
		if got := splitHashSpace(n); got != nil {
			t.Errorf("splitHashSpace(%d) = %v, want nil", n, got)
		}
	}
}

func TestSplitHashSpaceProperties(t *testing.T) {
	one := big.NewInt(1)
	for n := 1; n <= 1000; n++ {
		ranges := splitHashSpace(n)
		if len(ranges) != n {
			t.Fatalf("splitHashSpace(%d) has %d ranges", n, len(ranges))
		}
		w := new(big.Int).Div(hkTwo128, big.NewInt(int64(n)))
		next := new(big.Int)
		for i, r := range ranges {
			start, end := hkToBig(r.StartingHashKey), hkToBig(r.EndingHashKey)
			if start.Cmp(next) != 0 {
				t.Fatalf("n=%d shard %d starts at %v, want %v", n, i, start, next)
			}
			wantStart := new(big.Int).Mul(w, big.NewInt(int64(i)))
			if start.Cmp(wantStart) != 0 {
				t.Fatalf("n=%d shard %d starts at %v, want i*w = %v", n, i, start, wantStart)
			}
			width := new(big.Int).Sub(end, start)
			width.Add(width, one)
			if i < n-1 && width.Cmp(w) != 0 {
				t.Fatalf("n=%d shard %d has width %v, want %v", n, i, width, w)
			}
			if width.Cmp(w) < 0 {
				t.Fatalf("n=%d shard %d is narrower (%v) than w (%v)", n, i, width, w)
			}
			next.Add(end, one)
		}
		if next.Cmp(hkTwo128) != 0 {
			t.Fatalf("n=%d: ranges end at %v, want 2^128-1", n, new(big.Int).Sub(next, one))
		}
	}
}

func TestHashKeyArithmetic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	edge := []uint64{0, 1, 2, 9, 10, 1 << 63, ^uint64(0), ^uint64(0) - 1, pow10x19, pow10x19 - 1}
	pick := func() uint64 {
		if r.IntN(3) == 0 {
			return edge[r.IntN(len(edge))]
		}
		return r.Uint64() >> r.UintN(64)
	}
	for range 20000 {
		hkCheckArithmetic(t, pick(), pick(), pick(), pick(), pick())
	}
}

// hkCheckArithmetic compares the 128-bit helpers with math/big for the keys
// (ahi, alo) and (bhi, blo) and the 64-bit operand n.
func hkCheckArithmetic(t *testing.T, ahi, alo, bhi, blo, n uint64) {
	t.Helper()
	a, b := NewHashKey(ahi, alo), NewHashKey(bhi, blo)
	ba, bb := hkToBig(a), hkToBig(b)
	bn := new(big.Int).SetUint64(n)

	exact := new(big.Int).Add(ba, bb)
	sum, carry := a.add(b)
	if sum != hkFromBig(exact) || carry != (exact.Cmp(hkTwo128) >= 0) {
		t.Fatalf("%v.add(%v) = %v, %v; want %v", a, b, sum, carry, exact)
	}
	if got, want := a.sub(b), hkFromBig(new(big.Int).Sub(ba, bb)); got != want {
		t.Fatalf("%v.sub(%v) = %v, want %v", a, b, got, want)
	}
	if got, want := a.addUint64(n), hkFromBig(new(big.Int).Add(ba, bn)); got != want {
		t.Fatalf("%v.addUint64(%d) = %v, want %v", a, n, got, want)
	}
	if got, want := a.subUint64(n), hkFromBig(new(big.Int).Sub(ba, bn)); got != want {
		t.Fatalf("%v.subUint64(%d) = %v, want %v", a, n, got, want)
	}
	prod := new(big.Int).Mul(ba, bn)
	if got, want := a.mulUint64(n), hkFromBig(prod); got != want {
		t.Fatalf("%v.mulUint64(%d) = %v, want %v", a, n, got, want)
	}
	prod.Add(prod, new(big.Int).SetUint64(blo))
	got, over := a.mulAddUint64(n, blo)
	if got != hkFromBig(prod) || over != (prod.Cmp(hkTwo128) >= 0) {
		t.Fatalf("%v.mulAddUint64(%d, %d) = %v, %v; want %v", a, n, blo, got, over, prod)
	}
	if n != 0 {
		q, r := a.divUint64(n)
		bq, br := new(big.Int).QuoRem(ba, bn, new(big.Int))
		if q != hkFromBig(bq) || r != br.Uint64() {
			t.Fatalf("%v.divUint64(%d) = %v, %d; want %v, %v", a, n, q, r, bq, br)
		}
	} else if q, r := a.divUint64(0); q != (HashKey{}) || r != 0 {
		t.Fatalf("divUint64(0) = %v, %d; want 0, 0", q, r)
	}
	if got, want := a.Compare(b), ba.Cmp(bb); got != want {
		t.Fatalf("%v.Compare(%v) = %d, want %d", a, b, got, want)
	}
	if got, want := a.Less(b), ba.Cmp(bb) < 0; got != want {
		t.Fatalf("%v.Less(%v) = %v, want %v", a, b, got, want)
	}
}

func FuzzHashKeyArithmetic(f *testing.F) {
	f.Add(uint64(0), uint64(0), uint64(0), uint64(0), uint64(0))
	f.Add(^uint64(0), ^uint64(0), uint64(0), uint64(1), uint64(10))
	f.Add(uint64(1), uint64(0), uint64(0), uint64(1), ^uint64(0))
	f.Add(uint64(12345), uint64(1<<63), uint64(12345), uint64(1<<63), uint64(pow10x19))
	f.Fuzz(func(t *testing.T, ahi, alo, bhi, blo, n uint64) {
		hkCheckArithmetic(t, ahi, alo, bhi, blo, n)
	})
}

func FuzzParseHashKey(f *testing.F) {
	for _, s := range []string{
		"", "0", "00", "1", "-1", "+1", " 1", "1 ", "01", "9", "10",
		"18446744073709551615", "18446744073709551616",
		"9999999999999999999", "10000000000000000000",
		"170141183460469231731687303715884105728",
		hkMaxString, "340282366920938463463374607431768211456",
		strings.Repeat("9", 39), strings.Repeat("9", 40),
		"1" + strings.Repeat("0", 38), "1e10", "abc", "\xff", "\u0663",
	} {
		f.Add(s)
	}
	var pivots []HashKey
	for _, s := range []string{
		"0", "1", "18446744073709551615", "18446744073709551616",
		"170141183460469231731687303715884105728", hkMaxString,
	} {
		pivots = append(pivots, hkMustParse(f, s))
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := ParseHashKey(s)
		want, wellFormed := new(big.Int), hkWellFormed.MatchString(s)
		if wellFormed {
			want.SetString(s, 10)
		}
		switch {
		case !wellFormed:
			if err != ErrHashKeyFormat {
				t.Fatalf("ParseHashKey(%q) error = %v, want ErrHashKeyFormat", s, err)
			}
			return
		case want.Cmp(hkTwo128) >= 0:
			if err != ErrHashKeyRange {
				t.Fatalf("ParseHashKey(%q) error = %v, want ErrHashKeyRange", s, err)
			}
			return
		case err != nil:
			t.Fatalf("ParseHashKey(%q) error = %v, want success", s, err)
		}
		if hkToBig(h).Cmp(want) != 0 {
			t.Fatalf("ParseHashKey(%q) = %v", s, hkToBig(h))
		}
		if got := h.String(); got != s {
			t.Fatalf("ParseHashKey(%q).String() = %q", s, got)
		}
		neighbours := []HashKey{h.addUint64(1), h.subUint64(1)}
		for _, p := range append(pivots, neighbours...) {
			if got, want := h.Compare(p), want.Cmp(hkToBig(p)); got != want {
				t.Fatalf("%s.Compare(%v) = %d, want %d", s, p, got, want)
			}
			if got, want := p.Less(h), hkToBig(p).Cmp(want) < 0; got != want {
				t.Fatalf("%v.Less(%s) = %v, want %v", p, s, got, want)
			}
		}
	})
}

func BenchmarkPartitionKeyHash(b *testing.B) {
	for _, n := range []int{16, 64, 256} {
		key := strings.Repeat("k", n)
		b.Run(fmt.Sprintf("len=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				PartitionKeyHash(key)
			}
		})
	}
}

func BenchmarkParseHashKey(b *testing.B) {
	for _, s := range []string{"12345", hkMaxString} {
		b.Run(fmt.Sprintf("digits=%d", len(s)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = ParseHashKey(s)
			}
		})
	}
}

func BenchmarkHashKeyAppendDecimal(b *testing.B) {
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf = MaxHashKey.AppendDecimal(buf[:0])
	}
}

func TestHashKeyDigitWriters(t *testing.T) {
	// digits8 works lane by lane, so covering every 4-digit value in both
	// halves covers every 2- and 1-digit lane as well.
	check := func(v uint64) {
		var buf [8]byte
		binary.LittleEndian.PutUint64(buf[:], digits8(v))
		if got, want := string(buf[:]), fmt.Sprintf("%08d", v); got != want {
			t.Fatalf("digits8(%d) = %q, want %q", v, got, want)
		}
	}
	for a := uint64(0); a < 10000; a++ {
		check(a)
		check(a * 10000)
		check(a*10000 + 9999)
		check(a*10000 + (a*7919)%10000)
		check(9999*10000 + a)
	}
	r := rand.New(rand.NewPCG(13, 14))
	for range 100000 {
		v := r.Uint64N(pow10x19) >> r.UintN(64)
		var buf [19]byte
		put19Digits(&buf, v)
		if got, want := string(buf[:]), fmt.Sprintf("%019d", v); got != want {
			t.Fatalf("put19Digits(%d) = %q, want %q", v, got, want)
		}
	}
	for _, v := range []uint64{0, 1, pow10x19 - 1, 1e18, 1e16, 1e16 - 1} {
		if got, want := string(appendPadded19(nil, v)), fmt.Sprintf("%019d", v); got != want {
			t.Fatalf("appendPadded19(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestHashKeyDigitParsers(t *testing.T) {
	check := func(v uint64) {
		s := fmt.Sprintf("%08d", v)
		got, ok := parse8Digits(s)
		if !ok || got != v {
			t.Fatalf("parse8Digits(%q) = %d, %v", s, got, ok)
		}
	}
	for a := uint64(0); a < 10000; a++ {
		check(a)
		check(a * 10000)
		check(a*10000 + 9999)
		check(a*10000 + (a*7919)%10000)
		check(9999*10000 + a)
	}
	// Every non-digit byte in every position must be rejected.
	for pos := range 8 {
		for c := range 256 {
			b := []byte("97531864")
			b[pos] = byte(c)
			_, ok := parse8Digits(string(b))
			if want := c >= '0' && c <= '9'; ok != want {
				t.Fatalf("parse8Digits(%q) ok = %v, want %v", b, ok, want)
			}
		}
	}
	r := rand.New(rand.NewPCG(15, 16))
	for range 100000 {
		n := r.IntN(20)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		if n > 0 && r.IntN(4) == 0 {
			b[r.IntN(n)] = byte(r.IntN(256))
		}
		got, ok := parseDecimalChunk(string(b))
		want, err := strconv.ParseUint(string(b), 10, 64)
		if n == 0 {
			want, err = 0, nil
		}
		if ok != (err == nil) || (ok && got != want) {
			t.Fatalf("parseDecimalChunk(%q) = %d, %v; strconv says %d, %v", b, got, ok, want, err)
		}
	}
}
