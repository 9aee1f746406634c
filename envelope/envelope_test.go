package envelope_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/envelope"
)

var (
	ctx   = context.Background()
	start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
)

// keyService returns a KeyService on a ManualClock with one new key.
func keyService(t testing.TB) (*kds.KeyService, kds.KeyMetadata, *kds.ManualClock) {
	t.Helper()
	clock := kds.NewManualClock(start)
	ks, err := kds.NewKeyService("000000000000", "us-east-1", clock)
	if err != nil {
		t.Fatal(err)
	}
	return ks, ks.CreateKey(), clock
}

func mustNew(t *testing.T, kp kds.KeyProvider, keyID string, opts ...envelope.Option) *envelope.Envelope {
	t.Helper()
	e, err := envelope.New(kp, keyID, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustSeal(t *testing.T, e *envelope.Envelope, plain []byte) []byte {
	t.Helper()
	sealed, err := e.Seal(ctx, plain)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

func TestSealOpenRoundTrip(t *testing.T) {
	ks, key, _ := keyService(t)
	producer := mustNew(t, ks, key.KeyID)
	consumer := mustNew(t, ks, key.ARN) // opening needs no particular key name
	for _, n := range []int{0, 1, 100, 64 << 10} {
		plain := bytes.Repeat([]byte("card 4111-1111-1111-1111 "), n/25+1)[:n]
		sealed := mustSeal(t, producer, plain)
		if n >= 16 && bytes.Contains(sealed, plain[:16]) {
			t.Fatalf("%d bytes: the sealed payload contains the plaintext", n)
		}
		again := mustSeal(t, producer, plain)
		if bytes.Equal(sealed, again) {
			t.Fatalf("%d bytes: sealing twice gave the same bytes", n)
		}
		for _, e := range []*envelope.Envelope{producer, consumer} {
			got, err := e.Open(ctx, sealed)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("%d bytes: Open = %d bytes, %v", n, len(got), err)
			}
		}
	}
}

// TestSealedFormat reads a sealed payload by the documented layout.
func TestSealedFormat(t *testing.T) {
	ks, _, _ := keyService(t)
	plain := []byte("hello")
	sealed := mustSeal(t, mustNew(t, ks, "alias/aws/kinesis"), plain)
	managed, _ := ks.Key("alias/aws/kinesis")
	if sealed[0] != 1 {
		t.Fatalf("version %d, want 1", sealed[0])
	}
	rest := sealed[1:]
	arnLen := int(binary.BigEndian.Uint16(rest))
	if arn := string(rest[2 : 2+arnLen]); arn != managed.ARN {
		t.Fatalf("key ARN %q, want %q", arn, managed.ARN)
	}
	rest = rest[2+arnLen:]
	keyLen := int(binary.BigEndian.Uint16(rest))
	encrypted := rest[2 : 2+keyLen]
	if dk, err := ks.Decrypt(ctx, managed.ARN, encrypted); err != nil || len(dk) != kds.DataKeySize {
		t.Fatalf("the encrypted data key does not decrypt: %v", err)
	}
	rest = rest[2+keyLen:]
	if len(rest) != 12+len(plain)+16 {
		t.Fatalf("%d bytes after the header, want nonce, %d of ciphertext and the tag", len(rest), len(plain))
	}
}

// countingProvider counts the calls made to the KeyProvider it wraps.
type countingProvider struct {
	kds.KeyProvider
	mu                   sync.Mutex
	generated, decrypted int
}

func (p *countingProvider) GenerateDataKey(c context.Context, keyID string) (kds.DataKey, error) {
	p.mu.Lock()
	p.generated++
	p.mu.Unlock()
	return p.KeyProvider.GenerateDataKey(c, keyID)
}

func (p *countingProvider) Decrypt(c context.Context, keyARN string, encrypted []byte) ([]byte, error) {
	p.mu.Lock()
	p.decrypted++
	p.mu.Unlock()
	return p.KeyProvider.Decrypt(c, keyARN, encrypted)
}

func (p *countingProvider) counts() (int, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.generated, p.decrypted
}

func TestDataKeyReuseIsBounded(t *testing.T) {
	ks, key, clock := keyService(t)
	p := &countingProvider{KeyProvider: ks}
	producer := mustNew(t, p, key.KeyID, envelope.WithMaxMessages(3), envelope.WithMaxAge(time.Minute), envelope.WithClock(clock))
	var sealed [][]byte
	for range 7 {
		sealed = append(sealed, mustSeal(t, producer, []byte("x")))
	}
	if g, _ := p.counts(); g != 3 {
		t.Fatalf("7 payloads at 3 per data key took %d data keys, want 3", g)
	}
	clock.Advance(time.Minute)
	sealed = append(sealed, mustSeal(t, producer, []byte("x")))
	if g, _ := p.counts(); g != 4 {
		t.Fatalf("after the key's age ran out: %d data keys, want 4", g)
	}
	consumer := mustNew(t, p, key.KeyID)
	for range 2 {
		for _, s := range sealed {
			if _, err := consumer.Open(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, d := p.counts(); d != 4 {
		t.Fatalf("opening 8 payloads of 4 data keys twice took %d Decrypt calls, want 4", d)
	}
}

// TestTamperingIsDetected changes every byte of a sealed payload in turn:
// no change may open to anything.
func TestTamperingIsDetected(t *testing.T) {
	ks, key, _ := keyService(t)
	e := mustNew(t, ks, key.KeyID)
	sealed := mustSeal(t, e, []byte("transfer 100 to alice"))
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 0x20
		plain, err := mustNew(t, ks, key.KeyID).Open(ctx, bad)
		if err == nil {
			t.Fatalf("byte %d changed: Open = %q, want an error", i, plain)
		}
		plain, err = e.Open(ctx, bad)
		if err == nil {
			t.Fatalf("byte %d changed: Open with the data key cached = %q, want an error", i, plain)
		}
	}
	if _, err := e.Open(ctx, sealed[:len(sealed)-1]); !errors.Is(err, envelope.ErrAuthentication) {
		t.Fatalf("a payload cut short by a byte: %v, want ErrAuthentication", err)
	}
}

func TestOpenRefusesMalformedPayloads(t *testing.T) {
	ks, key, _ := keyService(t)
	e := mustNew(t, ks, key.KeyID)
	sealed := mustSeal(t, e, []byte("x"))
	for name, b := range map[string][]byte{
		"empty":         nil,
		"plaintext":     []byte("just some data"),
		"version 2":     append([]byte{2}, sealed[1:]...),
		"header only":   sealed[:len(sealed)-12-1-16],
		"no key ARN":    {1, 0, 0},
		"length beyond": {1, 0xff, 0xff, 'a'},
	} {
		if _, err := e.Open(ctx, b); !errors.Is(err, envelope.ErrMalformed) {
			t.Errorf("%s: Open = %v, want ErrMalformed", name, err)
		}
	}
}

func TestOpenNeedsTheRightKey(t *testing.T) {
	ks, key, _ := keyService(t)
	sealed := mustSeal(t, mustNew(t, ks, key.KeyID), []byte("secret"))

	// Another key service has no such key.
	other, _, _ := keyService(t)
	_, err := mustNew(t, other, key.ARN).Open(ctx, sealed)
	if !errors.Is(err, kds.ErrKMSNotFound) {
		t.Fatalf("opening with another key service: %v, want KMSNotFoundException", err)
	}

	// The header names another key of the same service (ARNs have the
	// same length): an Envelope for the original key refuses it, and
	// one that accepts the other key finds the data key is not
	// encrypted under it.
	second := ks.CreateKey()
	swapped := bytes.Replace(sealed, []byte(key.ARN), []byte(second.ARN), 1)
	if _, err := mustNew(t, ks, key.KeyID).Open(ctx, swapped); !errors.Is(err, envelope.ErrUnexpectedKey) {
		t.Fatalf("a header naming another key: %v, want ErrUnexpectedKey", err)
	}
	if _, err := mustNew(t, ks, key.KeyID, envelope.WithOpenKeys(second.KeyID)).Open(ctx, swapped); !errors.Is(err, kds.ErrKMSAccessDenied) {
		t.Fatalf("a header naming another key the Envelope opens: %v, want KMSAccessDeniedException", err)
	}

	// A principal the key is not for may not open it.
	if err := ks.SetKeyUsers(key.KeyID, "arn:aws:iam::000000000000:user/producer"); err != nil {
		t.Fatal(err)
	}
	stranger := kds.WithCaller(ctx, kds.Caller{Principal: "arn:aws:iam::000000000000:user/stranger"})
	if _, err := mustNew(t, ks, key.KeyID).Open(stranger, sealed); !errors.Is(err, kds.ErrKMSAccessDenied) {
		t.Fatalf("a principal without access: %v, want KMSAccessDeniedException", err)
	}
	producer := kds.WithCaller(ctx, kds.Caller{Principal: "arn:aws:iam::000000000000:user/producer"})
	if plain, err := mustNew(t, ks, key.KeyID).Open(producer, sealed); err != nil || string(plain) != "secret" {
		t.Fatalf("the allowed principal: %q, %v", plain, err)
	}

	// A disabled key opens nothing new and seals nothing new.
	if err := ks.DisableKey(key.KeyID); err != nil {
		t.Fatal(err)
	}
	if _, err := mustNew(t, ks, key.KeyID).Open(producer, sealed); !errors.Is(err, kds.ErrKMSDisabled) {
		t.Fatalf("a disabled key: %v, want KMSDisabledException", err)
	}
	if _, err := mustNew(t, ks, key.KeyID).Seal(producer, []byte("x")); !errors.Is(err, kds.ErrKMSDisabled) {
		t.Fatalf("sealing under a disabled key: %v, want KMSDisabledException", err)
	}
}

func TestNewChecksItsArguments(t *testing.T) {
	ks, key, _ := keyService(t)
	const limit = envelope.MaxMessagesLimit
	for name, f := range map[string]func() (*envelope.Envelope, error){
		"nil provider":  func() (*envelope.Envelope, error) { return envelope.New(nil, key.KeyID) },
		"no key":        func() (*envelope.Envelope, error) { return envelope.New(ks, "") },
		"zero messages": func() (*envelope.Envelope, error) { return envelope.New(ks, key.KeyID, envelope.WithMaxMessages(0)) },
		"past the limit": func() (*envelope.Envelope, error) {
			return envelope.New(ks, key.KeyID, envelope.WithMaxMessages(limit+1))
		},
		"2^40 messages": func() (*envelope.Envelope, error) {
			return envelope.New(ks, key.KeyID, envelope.WithMaxMessages(limit<<8))
		},
		"zero age":  func() (*envelope.Envelope, error) { return envelope.New(ks, key.KeyID, envelope.WithMaxAge(0)) },
		"nil clock": func() (*envelope.Envelope, error) { return envelope.New(ks, key.KeyID, envelope.WithClock(nil)) },
		"empty key to open": func() (*envelope.Envelope, error) {
			return envelope.New(ks, key.KeyID, envelope.WithOpenKeys(kds.AWSManagedKeyAlias, ""))
		},
	} {
		if e, err := f(); err == nil || e != nil {
			t.Errorf("%s: New = %v, %v; want an error", name, e, err)
		}
	}
	if _, err := envelope.New(ks, key.KeyID, envelope.WithMaxMessages(limit)); err != nil {
		t.Errorf("WithMaxMessages(MaxMessagesLimit): %v", err)
	}
}

// TestOpenAcceptsOnlyItsKeys: an Envelope opens what was sealed under its
// own KMS key, and under those WithOpenKeys adds, and refuses anything
// else without asking the provider, even a payload sealed under a key
// the consumer could decrypt with. Otherwise whoever may use some other
// key (such as the AWS managed key every principal of the account may
// use) could forge payloads that the consumer takes for its own.
func TestOpenAcceptsOnlyItsKeys(t *testing.T) {
	ks, key, _ := keyService(t)
	if err := ks.CreateAlias("alias/payments", key.KeyID); err != nil {
		t.Fatal(err)
	}
	const producer, mallory = "arn:aws:iam::000000000000:user/producer", "arn:aws:iam::000000000000:user/mallory"
	if err := ks.SetKeyUsers(key.KeyID, producer, "arn:aws:iam::000000000000:root"); err != nil {
		t.Fatal(err)
	}
	genuine := mustSeal(t, mustNew(t, ks, "alias/payments"), []byte("alice pays bob 10"))
	forged, err := mustNew(t, ks, kds.AWSManagedKeyAlias).Seal(kds.WithCaller(ctx, kds.Caller{Principal: mallory}), []byte("alice pays mallory 1000"))
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProvider{KeyProvider: ks}
	for _, name := range []string{"alias/payments", key.KeyID, key.ARN, "arn:aws:kms:us-east-1:000000000000:alias/payments"} {
		consumer := mustNew(t, p, name)
		if plain, err := consumer.Open(ctx, genuine); err != nil || string(plain) != "alice pays bob 10" {
			t.Fatalf("an Envelope for %s opening its own key's payload: %q, %v", name, plain, err)
		}
		if plain, err := consumer.Open(ctx, forged); !errors.Is(err, envelope.ErrUnexpectedKey) {
			t.Fatalf("an Envelope for %s opening a payload sealed under %s: %q, %v; want ErrUnexpectedKey", name, kds.AWSManagedKeyAlias, plain, err)
		}
	}
	if _, d := p.counts(); d != 4 {
		t.Fatalf("%d Decrypt calls, want 4: a payload under another key must be refused before the provider is asked", d)
	}
	both := mustNew(t, ks, "alias/payments", envelope.WithOpenKeys(kds.AWSManagedKeyAlias))
	for _, sealed := range [][]byte{genuine, forged} {
		if _, err := both.Open(ctx, sealed); err != nil {
			t.Fatalf("an Envelope told to open both keys: %v", err)
		}
	}
	// A key to open that the provider does not have fails Open, not New.
	missing := mustNew(t, ks, "alias/payments", envelope.WithOpenKeys("alias/gone"))
	if _, err := missing.Open(ctx, genuine); !errors.Is(err, kds.ErrKMSNotFound) {
		t.Fatalf("WithOpenKeys naming a missing key: Open = %v, want KMSNotFoundException", err)
	}
}

// TestOneEnvelopeServesPrincipalsApart: the data keys one caller of an
// Envelope had the provider make or decrypt do not serve another caller,
// whom the provider must allow on its own account.
func TestOneEnvelopeServesPrincipalsApart(t *testing.T) {
	ks, key, _ := keyService(t)
	const producer = "arn:aws:iam::000000000000:user/producer"
	asProducer := kds.WithCaller(ctx, kds.Caller{Principal: producer})
	stranger := kds.WithCaller(ctx, kds.Caller{Principal: "arn:aws:iam::000000000000:user/stranger"})
	if err := ks.SetKeyUsers(key.KeyID, producer); err != nil {
		t.Fatal(err)
	}
	sealed, err := mustNew(t, ks, key.KeyID).Seal(asProducer, []byte("secret"))
	if err != nil {
		t.Fatal(err)
	}
	shared := mustNew(t, ks, key.KeyID)
	if _, err := shared.Seal(asProducer, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := shared.Open(asProducer, sealed); err != nil {
		t.Fatal(err)
	}
	if plain, err := shared.Open(stranger, sealed); !errors.Is(err, kds.ErrKMSAccessDenied) {
		t.Errorf("a stranger opened %q through the producer's data key: %v", plain, err)
	}
	if _, err := shared.Seal(stranger, []byte("y")); !errors.Is(err, kds.ErrKMSAccessDenied) {
		t.Errorf("a stranger sealed with the producer's data key: %v", err)
	}
}

// hidingProvider passes calls to the KeyProvider it wraps but does not
// tell of key changes, as an adapter to a remote KMS would not.
type hidingProvider struct{ kds.KeyProvider }

// TestCachedDataKeysLapse: an Envelope stops using a data key once the
// key service reports a change to its keys, and, with a provider that
// reports none, once the key's WithMaxAge is up, for opening as for
// sealing.
func TestCachedDataKeysLapse(t *testing.T) {
	const consumer = "arn:aws:iam::000000000000:user/consumer"
	asConsumer := kds.WithCaller(ctx, kds.Caller{Principal: consumer})
	removeUser := func(ks *kds.KeyService, id string) error {
		return ks.SetKeyUsers(id, "arn:aws:iam::000000000000:user/other")
	}
	disable := func(ks *kds.KeyService, id string) error { return ks.DisableKey(id) }
	direct := func(ks *kds.KeyService) kds.KeyProvider { return ks }
	silent := func(ks *kds.KeyService) kds.KeyProvider { return hidingProvider{ks} }
	for _, tc := range []struct {
		name   string
		wrap   func(*kds.KeyService) kds.KeyProvider
		grace  time.Duration // how long a revoked key keeps working
		revoke func(*kds.KeyService, string) error
		err    *kds.Error
	}{
		{"key service, user removed", direct, 0, removeUser, kds.ErrKMSAccessDenied},
		{"key service, key disabled", direct, 0, disable, kds.ErrKMSDisabled},
		{"silent provider, user removed", silent, time.Minute, removeUser, kds.ErrKMSAccessDenied},
		{"silent provider, key disabled", silent, time.Minute, disable, kds.ErrKMSDisabled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ks, key, clock := keyService(t)
			e := mustNew(t, tc.wrap(ks), key.KeyID, envelope.WithMaxAge(time.Minute), envelope.WithClock(clock))
			sealed, err := e.Seal(asConsumer, []byte("secret"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.Open(asConsumer, sealed); err != nil {
				t.Fatal(err)
			}
			if err := tc.revoke(ks, key.KeyID); err != nil {
				t.Fatal(err)
			}
			if tc.grace > 0 {
				clock.Advance(tc.grace - time.Millisecond)
				if _, err := e.Open(asConsumer, sealed); err != nil {
					t.Fatalf("within WithMaxAge, without word of the change: Open = %v", err)
				}
				if _, err := e.Seal(asConsumer, []byte("x")); err != nil {
					t.Fatalf("within WithMaxAge, without word of the change: Seal = %v", err)
				}
				clock.Advance(time.Millisecond)
			}
			if plain, err := e.Open(asConsumer, sealed); !errors.Is(err, tc.err) {
				t.Errorf("after the change: Open = %q, %v; want %s", plain, err, tc.err.Code)
			}
			if _, err := e.Seal(asConsumer, []byte("x")); !errors.Is(err, tc.err) {
				t.Errorf("after the change: Seal = %v; want %s", err, tc.err.Code)
			}
		})
	}
}

// noDecrypt is a KeyProvider that makes data keys but refuses to decrypt
// them, as KMS does for a producer granted kms:GenerateDataKey alone.
type noDecrypt struct{ kds.KeyProvider }

func (noDecrypt) Decrypt(context.Context, string, []byte) ([]byte, error) {
	return nil, &kds.Error{Code: "KMSAccessDeniedException", Message: "not allowed kms:Decrypt"}
}

// TestSealingDoesNotGrantOpening: a producer that may make data keys but
// not decrypt them cannot open what it sealed, even through the Envelope
// that holds the data key.
func TestSealingDoesNotGrantOpening(t *testing.T) {
	ks, key, _ := keyService(t)
	e := mustNew(t, noDecrypt{ks}, key.KeyID)
	sealed := mustSeal(t, e, []byte("secret"))
	if plain, err := e.Open(ctx, sealed); !errors.Is(err, kds.ErrKMSAccessDenied) {
		t.Fatalf("the producer opened %q, %v; want KMSAccessDeniedException", plain, err)
	}
}
