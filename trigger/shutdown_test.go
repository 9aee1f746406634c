package trigger

import (
	"context"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
)

// TestShutdown checks that ending Run's context lets the invocation under
// way finish, keeps the checkpoints of what succeeded, and that a new run
// resumes just after them: nothing is lost, nothing checkpointed is
// invoked again.
func TestShutdown(t *testing.T) {
	for _, tc := range []struct {
		name        string
		inflightErr bool   // the invocation under way fails when its context ends
		checkpoint  int    // index of the record checkpointed at the end
		resumed     string // the second run's invocations
	}{
		{"invocation fails", true, 1, "k/3,k/4 k/5,k/6"},
		{"invocation succeeds", false, 3, "k/5,k/6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, 1)
				seqs := e.putN("k", 6)
				r := &recorder{clock: e.clock}
				h := func(ctx context.Context, ev KinesisEvent) (KinesisEventResponse, error) {
					r.handle(ctx, ev)
					if len(r.invocations()) == 1 {
						return KinesisEventResponse{}, nil
					}
					<-ctx.Done() // the second batch runs until the run ends
					if tc.inflightErr {
						return KinesisEventResponse{}, ctx.Err()
					}
					return KinesisEventResponse{}, nil
				}
				cfg := e.config(h)
				cfg.BatchSize = 2
				stop := e.start(cfg)
				if got := len(r.invocations()); got != 2 {
					t.Fatalf("%d invocations, want the second under way", got)
				}
				if cp := e.checkpoint(shardID(0)); cp != seqs[1] {
					t.Errorf("checkpoint %s while the second batch runs, want %s", cp, seqs[1])
				}
				stop()
				if got := len(r.invocations()); got != 2 {
					t.Errorf("%d invocations after the stop, want 2 (no retry)", got)
				}
				if cp := e.checkpoint(shardID(0)); cp != seqs[tc.checkpoint] {
					t.Errorf("checkpoint %s after the stop, want %s", cp, seqs[tc.checkpoint])
				}

				r2 := &recorder{clock: e.clock}
				cfg2 := e.config(r2.handle)
				cfg2.BatchSize, cfg2.WorkerID = 2, "worker-2"
				e.start(cfg2)
				var got []string
				for _, c := range r2.invocations() {
					got = append(got, strings.Join(c.data(), ","))
				}
				if want := strings.Fields(tc.resumed); !slices.Equal(got, want) {
					t.Errorf("second run: invocations %q, want %q", got, want)
				}
			})
		})
	}
}
