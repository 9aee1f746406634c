package main

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// TestScenarios runs every scenario briefly against kds's handler and
// checks that each reports its figures with no failed call. It does not
// measure anything; it keeps the load tool working.
func TestScenarios(t *testing.T) {
	svc, err := kds.NewService(kds.WithThroughputLimits(kds.NoLimits))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	srv := httptest.NewServer(kinesisapi.NewHandler(svc))
	defer srv.Close()
	want := map[string][]string{
		"putrecords": {"records_per_s=", "failed_calls=0 "},
		"getrecords": {"records_per_s=", "records=2000 "},
		"putrecord":  {"p50_ms=", "failed_calls=0 "},
	}
	for name, run := range scenarios {
		t.Run(name, func(t *testing.T) {
			c := config{endpoint: srv.URL, scenario: name, stream: "load-" + name, shards: 2, workers: 2,
				duration: 200 * time.Millisecond, records: 2000}
			ctx := context.Background()
			client := newClient(c.endpoint, c.workers)
			if err := ensureStream(ctx, client, c.stream, c.shards); err != nil {
				t.Fatal(err)
			}
			res, err := run(ctx, client, c)
			if err != nil {
				t.Fatal(err)
			}
			line := res.line(name, srv.URL) + " "
			for _, w := range want[name] {
				if !strings.Contains(line, w) {
					t.Errorf("result %q lacks %q", line, w)
				}
			}
		})
	}
}
