package aesgcm

import (
	"bytes"
	"testing"
)

func TestNewSealsAndOpens(t *testing.T) {
	a := New(bytes.Repeat([]byte{7}, KeySize))
	nonce := make([]byte, a.NonceSize())
	sealed := a.Seal(nil, nonce, []byte("record"), []byte("aad"))
	if got, err := a.Open(nil, nonce, sealed, []byte("aad")); err != nil || string(got) != "record" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := a.Open(nil, nonce, sealed, []byte("other")); err == nil {
		t.Fatal("Open with other additional data succeeded")
	}
}

func TestNewRefusesOtherKeySizes(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("New accepted a 16-byte key")
		}
	}()
	New(make([]byte, 16))
}
