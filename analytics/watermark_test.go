package analytics

import (
	"testing"
	"time"
)

// TestWatermarkInputs: the watermark is the minimum over the inputs; an
// input with no record holds it until it is idle; an idle input follows
// the clock.
func TestWatermarkInputs(t *testing.T) {
	m := watermark{bound: time.Second, idle: 10 * time.Second, sources: map[*source]bool{}}
	a := &source{active: t0}
	b := &source{active: t0}
	m.sources[a], m.sources[b] = true, true
	check := func(step string, now time.Time, want string) {
		t.Helper()
		m.advance(now)
		got := "unset"
		if m.set {
			got = m.at.Sub(t0).String()
		}
		if got != want {
			t.Errorf("%s: watermark %s, want %s", step, got, want)
		}
	}
	m.observe(a, at("30s"), at("1s"))
	check("b has no record", at("1s"), "unset")
	m.observe(b, at("20s"), at("2s"))
	check("both have records", at("2s"), "19s")
	m.observe(a, at("40s"), at("5s"))
	check("b behind", at("5s"), "19s")
	check("b idle 9s", at("11s"), "19s")
	check("b idle 10s", at("12s"), "29s") // 20s + 10s - 1s, below a's 39s
	m.observe(a, at("40s"), at("14s"))
	check("a active, b idle 21s", at("23s"), "39s") // b: 20s + 21s - 1s; a is the minimum
	check("a idle too", at("1m"), "1m17s")          // b: 20s + 58s - 1s; a: 40s + 46s - 1s
	m.observe(b, at("25s"), at("1m1s"))
	check("b active again, behind", at("1m1s"), "1m17s") // never moves back
}

// TestWatermarkNewInput: an input added with no record holds the
// watermark until it has been idle for the timeout.
func TestWatermarkNewInput(t *testing.T) {
	m := watermark{idle: 10 * time.Second, sources: map[*source]bool{}}
	a, c := &source{}, &source{active: at("5s")}
	m.sources[a] = true
	m.observe(a, at("1s"), at("1s"))
	m.advance(at("1s"))
	m.sources[c] = true
	for _, tc := range []struct {
		now, want string
	}{{"14s", "1s"}, {"15s", "15s"}} { // a: idle since 1s, follows the clock
		m.advance(at(tc.now))
		if got := m.at.Sub(t0).String(); got != tc.want {
			t.Errorf("at %s: watermark %s, want %s", tc.now, got, tc.want)
		}
	}
}
