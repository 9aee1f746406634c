package trigger

import (
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestReportBatchItemFailures checks partial batch responses: the batch
// is retried from the failed record with the lowest sequence number, the
// records before it are checkpointed, and malformed failures fail the
// whole batch.
func TestReportBatchItemFailures(t *testing.T) {
	// failing returns a response naming the records with these data; a
	// datum of no record is named as it is.
	failing := func(ev KinesisEvent, data ...string) KinesisEventResponse {
		var resp KinesisEventResponse
		for _, d := range data {
			id := d
			for _, r := range ev.Records {
				if string(r.Kinesis.Data) == d {
					id = r.Kinesis.SequenceNumber
				}
			}
			resp.BatchItemFailures = append(resp.BatchItemFailures, BatchItemFailure{ItemIdentifier: id})
		}
		return resp
	}
	for _, tc := range []struct {
		name   string
		report bool
		bisect bool
		first  func(KinesisEvent) KinesisEventResponse // the first invocation's response; later ones succeed
		// want is the invocations' records; checkpoint the record
		// checkpointed after the first invocation.
		want       []string
		checkpoint int // index of the record, -1 for none
	}{
		{"lowest failed", true, false, func(ev KinesisEvent) KinesisEventResponse { return failing(ev, "k/4", "k/3") },
			[]string{"k/1,k/2,k/3,k/4,k/5", "k/3,k/4,k/5"}, 1},
		{"empty list", true, false, func(ev KinesisEvent) KinesisEventResponse {
			return KinesisEventResponse{BatchItemFailures: []BatchItemFailure{}}
		},
			[]string{"k/1,k/2,k/3,k/4,k/5"}, 4},
		{"first record", true, false, func(ev KinesisEvent) KinesisEventResponse { return failing(ev, "k/1") },
			[]string{"k/1,k/2,k/3,k/4,k/5", "k/1,k/2,k/3,k/4,k/5"}, -1},
		{"empty identifier", true, false, func(ev KinesisEvent) KinesisEventResponse { return failing(ev, "k/4", "") },
			[]string{"k/1,k/2,k/3,k/4,k/5", "k/1,k/2,k/3,k/4,k/5"}, -1},
		{"unknown identifier", true, false, func(ev KinesisEvent) KinesisEventResponse { return failing(ev, "4959") },
			[]string{"k/1,k/2,k/3,k/4,k/5", "k/1,k/2,k/3,k/4,k/5"}, -1},
		{"not enabled", false, false, func(ev KinesisEvent) KinesisEventResponse { return failing(ev, "k/3") },
			[]string{"k/1,k/2,k/3,k/4,k/5"}, 4},
		{"with bisect", true, true, func(ev KinesisEvent) KinesisEventResponse { return failing(ev, "k/3") },
			[]string{"k/1,k/2,k/3,k/4,k/5", "k/3,k/4,k/5"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, 1)
				seqs := e.putN("k", 5)
				r := &recorder{clock: e.clock, respond: func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
					if n == 0 {
						return tc.first(ev), nil
					}
					return KinesisEventResponse{}, nil
				}}
				cfg := e.config(r.handle)
				cfg.BisectBatchOnFunctionError = tc.bisect
				if tc.report {
					cfg.FunctionResponseTypes = []FunctionResponseType{ReportBatchItemFailures}
				}
				e.start(cfg)
				want := "TRIM_HORIZON"
				if tc.checkpoint >= 0 {
					want = seqs[tc.checkpoint]
				}
				if len(r.invocations()) == 1 {
					if got := e.checkpoint(shardID(0)); got != want {
						t.Errorf("checkpoint after the first invocation %s, want %s", got, want)
					}
				} else if !tc.bisect {
					t.Errorf("retried without waiting: %d invocations", len(r.invocations()))
				}
				e.advance(time.Second)
				var got []string
				for _, c := range r.invocations() {
					got = append(got, strings.Join(c.data(), ","))
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("invocations\n got %q\nwant %q", got, tc.want)
				}
				if got := e.checkpoint(shardID(0)); got != seqs[4] {
					t.Errorf("final checkpoint %s, want %s", got, seqs[4])
				}
			})
		})
	}
}

// TestPartialFailureRetries checks, with one retry allowed, that a
// partial failure uses a retry of the records left (without bisecting),
// and that bisecting at the failed record does not.
func TestPartialFailureRetries(t *testing.T) {
	// Every invocation holding k/3 reports it failed.
	failK3 := func(n int, ev KinesisEvent) (KinesisEventResponse, error) {
		for _, r := range ev.Records {
			if string(r.Kinesis.Data) == "k/3" {
				return KinesisEventResponse{BatchItemFailures: []BatchItemFailure{{ItemIdentifier: r.Kinesis.SequenceNumber}}}, nil
			}
		}
		return KinesisEventResponse{}, nil
	}
	for _, tc := range []struct {
		name    string
		bisect  bool
		want    []string
		dropped string // the discarded records
		invokes int
	}{
		{"without bisect", false, []string{"k/1,k/2,k/3,k/4,k/5", "k/3,k/4,k/5"}, "k/3,k/4,k/5", 2},
		{"with bisect", true, []string{"k/1,k/2,k/3,k/4,k/5", "k/3,k/4,k/5", "k/3", "k/3", "k/4,k/5"}, "k/3", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, 1)
				seqs := e.putN("k", 5)
				r := &recorder{clock: e.clock, respond: failK3}
				dest := &MemoryDestination{}
				cfg := e.config(r.handle)
				cfg.FunctionResponseTypes = []FunctionResponseType{ReportBatchItemFailures}
				cfg.BisectBatchOnFunctionError = tc.bisect
				cfg.MaximumRetryAttempts = Int(1)
				cfg.DestinationConfig.OnFailure = dest
				e.start(cfg)
				e.advance(time.Second)
				var got []string
				for _, c := range r.invocations() {
					got = append(got, strings.Join(c.data(), ","))
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("invocations\n got %q\nwant %q", got, tc.want)
				}
				f := dest.Records()
				if len(f) != 1 {
					t.Fatalf("on-failure records %+v", f)
				}
				n := strings.Count(tc.dropped, ",") + 1
				info := f[0].KinesisBatchInfo
				if info.BatchSize != n || info.StartSequenceNumber != seqs[2] || info.EndSequenceNumber != seqs[2+n-1] ||
					f[0].RequestContext.ApproximateInvokeCount != tc.invokes || f[0].ResponseContext.FunctionError != "" {
					t.Errorf("on-failure record %+v, want %s after %d invocations, no function error", f[0], tc.dropped, tc.invokes)
				}
				if got := e.checkpoint(shardID(0)); got != seqs[4] {
					t.Errorf("checkpoint %s, want %s", got, seqs[4])
				}
			})
		})
	}
}
