package uuid

import (
	"regexp"
	"testing"
)

// TestNew checks the form of version 4 UUIDs (version nibble 4, variant
// bits 10) and that they differ.
func TestNew(t *testing.T) {
	form := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		u := New()
		if !form.MatchString(u) {
			t.Fatalf("%q is not a version 4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("%q made twice", u)
		}
		seen[u] = true
	}
}
