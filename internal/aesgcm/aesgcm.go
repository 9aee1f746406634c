// Package aesgcm makes the AES-256-GCM ciphers that encryption at rest and
// the envelope package seal with.
package aesgcm

import (
	"crypto/aes"
	"crypto/cipher"
)

// KeySize is the size of an AES-256 key in bytes.
const KeySize = 32

// New returns AES-256-GCM under key, which must be KeySize bytes long: a
// key of another size is a programming error, and New panics.
func New(key []byte) cipher.AEAD {
	if len(key) != KeySize {
		panic("aesgcm: key is not 32 bytes")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // unreachable: 32 bytes is a valid AES key size
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err) // unreachable: NewGCM fails only for non-128-bit blocks
	}
	return aead
}
