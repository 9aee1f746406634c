// Package backoff computes the pauses between retries: exponential,
// doubling from a first pause up to a cap, with optional jitter. The
// trigger and delivery packages and the kds command line pace their
// retries with it, each with its own parameters.
package backoff

import (
	"math/rand/v2"
	"time"
)

// Exponential is a backoff that doubles from Min up to Max.
type Exponential struct {
	// Min is the pause before the first retry.
	Min time.Duration
	// Max caps the pauses.
	Max time.Duration
	// Jitter, from 0 to 1, spreads each pause at random over
	// [1-Jitter, 1+Jitter] times its value (the cap included).
	Jitter float64
}

// Delay returns the pause before the n-th retry, counting from 1:
// Min·2^(n-1), at most Max, with jitter.
func (e Exponential) Delay(n int) time.Duration {
	d := e.Max
	if n < 1 {
		n = 1
	}
	if shift := n - 1; shift < 62 && e.Min<<shift > 0 && e.Min<<shift < e.Max {
		d = e.Min << shift
	}
	if e.Jitter > 0 {
		d = time.Duration(float64(d) * (1 + e.Jitter*(2*rand.Float64()-1)))
	}
	return d
}
