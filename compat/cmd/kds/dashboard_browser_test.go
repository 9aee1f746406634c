package main

import (
	"fmt"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kdsgo/kds"
	"github.com/kdsgo/kds/compat/dashboard"
	"github.com/kdsgo/kds/compat/internal/browsertest"
	"github.com/kdsgo/kds/compat/kinesisapi"
)

// The dashboard as a person sees it: kds serve's handler, a real browser,
// a page that keeps itself up to date.
func TestDashboardInBrowser(t *testing.T) {
	b := browsertest.New(t, 20*time.Second)
	ctx := t.Context()
	svc, err := kds.NewService()
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	dash := dashboard.New(svc)
	defer dash.Close()
	srv := httptest.NewServer(withDashboard(kinesisapi.NewHandler(svc), dash))
	defer srv.Close()

	for name, shards := range map[string]int{"orders": 2, "clicks": 1} {
		if _, err := svc.CreateStream(ctx, kds.CreateStreamInput{StreamName: name, ShardCount: shards}); err != nil {
			t.Fatal(err)
		}
	}
	entries := make([]kds.PutRecordsRequestEntry, 100)
	for i := range entries {
		entries[i] = kds.PutRecordsRequestEntry{PartitionKey: strconv.Itoa(i), Data: []byte("order")}
	}
	if _, err := svc.PutRecords(ctx, kds.PutRecordsInput{StreamName: "orders", Records: entries}); err != nil {
		t.Fatal(err)
	}

	const orders = `tr[data-stream="orders"]`
	b.Do(t, chromedp.Navigate(srv.URL+"/kds/"), chromedp.WaitVisible(chromedp.CSS(orders)))
	if got := text(t, b, orders+` [data-field="openShards"]`); got != "2" {
		t.Errorf("orders shows %q open shards, want 2", got)
	}
	if got := text(t, b, orders+` [data-field="putRecords"]`); parseRate(t, got) <= 0 {
		t.Errorf("orders shows %q records/s put, want more than 0", got)
	}
	if got := text(t, b, `tr[data-stream="clicks"] [data-field="openShards"]`); got != "1" {
		t.Errorf("clicks shows %q open shards, want 1", got)
	}

	// A split shows up without a reload: the page refreshes itself.
	b.Do(t, chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`))
	if _, err := svc.SplitShard(ctx, kds.SplitShardInput{StreamName: "orders", ShardToSplit: "shardId-000000000000", NewStartingHashKey: kds.NewHashKey(1<<62, 0).String()}); err != nil {
		t.Fatal(err)
	}
	b.Do(t, browsertest.WaitFor(fmt.Sprintf(`document.querySelector('%s [data-field="openShards"]').textContent === "3"`, orders), 6*time.Second))
	if !browsertest.Get(t, b, chromedp.Evaluate[bool](`window.sameDocument === true && document.getElementById("refresh").dataset.state === "ok"`)) {
		t.Error("the page was reloaded, or its refresh indicator is not ok")
	}

	// The stream's page: its shards, their lineage, the chart.
	b.Do(t, chromedp.Click(chromedp.CSS(orders+" a")), chromedp.WaitVisible(chromedp.CSS("svg.chart")))
	rows := browsertest.Get(t, b, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.shards tbody tr")].map(r => r.id + " " + r.className)`))
	want := []string{"shardId-000000000000 closed", "shardId-000000000001 open", "shardId-000000000002 open", "shardId-000000000003 open"}
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("shard rows %q, want %q", rows, want)
	}
	if got := text(t, b, `#shardId-000000000003 a`); got != "shardId-000000000000" {
		t.Errorf("shardId-000000000003's parent shows as %q", got)
	}
	b.CheckSVGsRendered(t)
	if n := browsertest.Get(t, b, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart polyline.line, svg.keyspace rect").length`)); n != 4 {
		t.Errorf("%d chart lines and key space parts, want 1 and 3", n)
	}
	b.CheckNoProblems(t)
}

// text is the text content of the first element matching the CSS
// selector sel.
func text(t *testing.T, b *browsertest.Browser, sel string) string {
	t.Helper()
	return browsertest.Get(t, b, chromedp.TextContent(chromedp.CSS(sel)))
}

// parseRate reads a rate as the dashboard shows it.
func parseRate(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("rate %q: %v", s, err)
	}
	return v
}
