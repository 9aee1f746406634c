package main

import (
	"strings"
	"testing"
)

// TestClientCommandUsage checks that bad command lines end with exit code
// 2 and a message, before any call is made (no endpoint is given).
func TestClientCommandUsage(t *testing.T) {
	isolateAWSConfig(t)
	tests := []struct {
		args     []string
		inStderr string
	}{
		{[]string{"tail"}, "missing stream name"},
		{[]string{"tail", "s", "t"}, `unexpected argument "t"`},
		{[]string{"tail", "s", "--from", "yesterday"}, "want trim-horizon, latest, at-timestamp=RFC3339 or at-sequence=N"},
		{[]string{"tail", "s", "--from", "latest=1"}, "want trim-horizon, latest"},
		{[]string{"tail", "s", "--from", "at-timestamp=2025-13-01"}, "RFC 3339"},
		{[]string{"tail", "s", "--from", "at-sequence=12x"}, "at-sequence wants a sequence number"},
		{[]string{"tail", "s", "--from", "at-sequence="}, "at-sequence wants a sequence number"},
		{[]string{"tail", "s", "--format", "xml"}, "want raw, json or base64"},
		{[]string{"tail", "s", "--count", "-1"}, "--count -1: must not be negative"},
		{[]string{"tail", "s", "--poll", "0s"}, "--poll 0s: must be positive"},
		{[]string{"tail", "--nope", "s"}, "flag provided but not defined: -nope"},
		{[]string{"describe"}, "missing stream name"},
		{[]string{"describe", "a", "b"}, `unexpected argument "b"`},
		{[]string{"streams", "a"}, `unexpected argument "a"`},
		{[]string{"put"}, "missing stream name"},
		{[]string{"put", "s", "--key", "a", "--key-field", "id"}, "--key and --key-field exclude each other"},
		{[]string{"put", "s", "--key", strings.Repeat("k", 257)}, "--key: partition key of 257 characters"},
		{[]string{"bench"}, "missing stream name"},
		{[]string{"bench", "s", "--batch", "501"}, "--batch 501: want 1 to 500 records"},
		{[]string{"bench", "s", "--size", "0"}, "--size 0: want 1 to"},
		{[]string{"bench", "s", "--size", "100000", "--batch", "100"}, "a call would carry more than 5 MiB"},
		{[]string{"bench", "s", "--duration", "0s"}, "--duration 0s: must be positive"},
		{[]string{"bench", "s", "--concurrency", "0"}, "--concurrency 0: must be at least 1"},
		{[]string{"bench", "s", "--rate", "-5"}, "--rate -5: must not be negative"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := runKDS(t, "", tt.args...)
			if r.code != exitUsage {
				t.Errorf("exit code %d, want %d", r.code, exitUsage)
			}
			if !strings.Contains(r.stderr, tt.inStderr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.inStderr)
			}
		})
	}
}

// TestClientCommandHelp checks that -h describes a command's own flags
// and the AWS flags, and exits 0.
func TestClientCommandHelp(t *testing.T) {
	own := map[string]string{
		"streams":  "-endpoint-url",
		"describe": "-json",
		"put":      "-key-field",
		"tail":     "-no-follow",
		"bench":    "-create-shards",
	}
	for cmd, flag := range own {
		t.Run(cmd, func(t *testing.T) {
			r := runKDS(t, "", cmd, "-h")
			if r.code != exitOK {
				t.Errorf("exit code %d, want 0", r.code)
			}
			for _, want := range []string{"usage: kds " + cmd, flag, "-endpoint-url", "-region", "-profile", "AWS_PROFILE"} {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("help lacks %q:\n%s", want, r.stderr)
				}
			}
		})
	}
}
