package main

import (
	"fmt"
	"io"
	"time"

	"github.com/kdsgo/kds"
)

// syncFlag is -sync: when records in -data-dir reach stable storage.
type syncFlag struct{ policy kds.SyncPolicy }

// String returns the policy as the flag takes it.
func (f *syncFlag) String() string { return f.policy.String() }

// Set parses "always", "os" or an interval such as 100ms.
func (f *syncFlag) Set(s string) error {
	switch s {
	case "always":
		f.policy = kds.SyncEveryWrite()
	case "os":
		f.policy = kds.SyncByOS()
	default:
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Errorf("want always, os or an interval such as 100ms, not %q", s)
		}
		if d < time.Millisecond || d > time.Minute {
			return fmt.Errorf("interval %v is outside [1ms, 1m]", d)
		}
		f.policy = kds.SyncInterval(d)
	}
	return nil
}

// reportStorage writes the start-up lines about the data directory: where
// it is, and what was found damaged or cut off when it was opened.
func reportStorage(w io.Writer, svc *kds.Service, dir string, sync kds.SyncPolicy) {
	n := 0
	for range svc.Streams() {
		n++
	}
	fmt.Fprintf(w, "kds serve: data in %s (sync %s); streams found there: %d\n", dir, sync, n)
	for _, p := range svc.StorageProblems() {
		fmt.Fprintf(w, "kds serve: data dir: %s in %s", p.Kind, p.Path)
		if p.ShardID != "" {
			fmt.Fprintf(w, " (stream %s, %s, from sequence number %s)", p.Stream, p.ShardID, p.From)
		}
		fmt.Fprintf(w, ": %d bytes: %s\n", p.Bytes, p.Err)
	}
}
