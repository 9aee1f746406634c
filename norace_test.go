//go:build !race

package kds_test

// raceEnabled reports whether the tests run under the race detector, which
// makes everything several times slower; long tests do less under it.
const raceEnabled = false
