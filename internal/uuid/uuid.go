// Package uuid makes random UUIDs, for the request and object IDs of the
// trigger and delivery packages.
package uuid

import (
	"crypto/rand"
	"fmt"
)

// New returns a random (version 4) UUID in its usual text form, such as
// 0b7e5f3c-2f5a-4c9e-9d6a-1c2b3d4e5f60.
func New() string {
	var b [16]byte
	rand.Read(b[:]) // never fails
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
