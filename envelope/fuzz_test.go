package envelope_test

import (
	"bytes"
	"testing"

	"github.com/kdsgo/kds/envelope"
)

// FuzzOpen feeds Open arbitrary bytes, starting from genuine payloads:
// it must never panic, and it may return a plaintext only for a payload
// exactly as Seal made it.
func FuzzOpen(f *testing.F) {
	ks, key, _ := keyService(f)
	e, err := envelope.New(ks, key.KeyID)
	if err != nil {
		f.Fatal(err)
	}
	genuine := map[string][]byte{}
	for _, plain := range []string{"", "hello", "alice pays bob 12.50"} {
		sealed, err := e.Seal(ctx, []byte(plain))
		if err != nil {
			f.Fatal(err)
		}
		genuine[string(sealed)] = []byte(plain)
		f.Add(sealed)
	}
	f.Add([]byte{1, 0, 4, 'a', 'r', 'n', ':', 0, 1, 0})
	f.Add([]byte{1, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		plain, err := e.Open(ctx, b)
		if err != nil {
			return
		}
		want, ok := genuine[string(b)]
		if !ok || !bytes.Equal(plain, want) {
			t.Fatalf("Open accepted bytes Seal did not make: %x gave %q", b, plain)
		}
	})
}
