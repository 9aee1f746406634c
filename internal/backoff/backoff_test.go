package backoff

import (
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	b := Exponential{Min: time.Second, Max: time.Minute}
	for _, tt := range []struct {
		n    int
		want time.Duration
	}{
		{0, time.Second},
		{1, time.Second},
		{2, 2 * time.Second},
		{6, 32 * time.Second},
		{7, time.Minute},
		{8, time.Minute},
		{63, time.Minute},
		{64, time.Minute},
		{1 << 30, time.Minute},
	} {
		if got := b.Delay(tt.n); got != tt.want {
			t.Errorf("Delay(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestDelayJitter(t *testing.T) {
	b := Exponential{Min: time.Second, Max: 2 * time.Minute, Jitter: 0.15}
	for _, tt := range []struct {
		n    int
		base time.Duration
	}{{1, time.Second}, {4, 8 * time.Second}, {20, 2 * time.Minute}} {
		lo, hi := tt.base*85/100, tt.base*115/100
		spread := false
		for range 200 {
			d := b.Delay(tt.n)
			if d < lo || d > hi {
				t.Fatalf("Delay(%d) = %v, outside [%v, %v]", tt.n, d, lo, hi)
			}
			spread = spread || d != tt.base
		}
		if !spread {
			t.Errorf("Delay(%d) never strayed from %v", tt.n, tt.base)
		}
	}
}
