package metafile

import (
	"bytes"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, body := range [][]byte{nil, []byte("{}"), []byte(`{"a":"b\nc"}`), bytes.Repeat([]byte("x"), 1<<16)} {
		got, err := Decode(Encode(body))
		if err != nil || !bytes.Equal(got, body) {
			t.Errorf("Decode(Encode(%.20q)) = %.20q, %v", body, got, err)
		}
	}
}

func TestDecodeRefusesDamage(t *testing.T) {
	good := Encode([]byte(`{"streams":1}`))
	flip := bytes.Clone(good)
	flip[len(flip)-2] ^= 1
	tests := map[string][]byte{
		"empty":       nil,
		"other file":  []byte(`{"streams":1}`),
		"new version": append([]byte("kdsmeta 2 "), good[10:]...),
		"truncated":   good[:len(good)-1],
		"extended":    append(bytes.Clone(good), ' '),
		"flipped bit": flip,
		"no newline":  good[:20],
		"bad length":  bytes.Replace(good, []byte(" 13\n"), []byte(" x3\n"), 1),
	}
	for name, b := range tests {
		if _, err := Decode(b); err == nil {
			t.Errorf("%s: Decode accepted %q", name, b)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode([]byte(`{"id":1}`)))
	f.Add([]byte("kdsmeta 1 0000000000000000 0\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		body, err := Decode(b)
		if err != nil {
			return
		}
		if !bytes.Equal(Encode(body), b) {
			t.Fatalf("accepted %q, which does not re-encode to itself", b)
		}
	})
}
