package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// startServe runs kds serve with args (and a free port) until the test
// ends, and returns the first n lines it prints.
func startServe(t *testing.T, n int, args ...string) []string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	out, w := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		code := runServe(ctx, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, args...), w, io.Discard)
		w.Close()
		exited <- code
	}()
	t.Cleanup(func() {
		stop()
		if code := <-exited; code != exitOK {
			t.Errorf("kds serve exited %d", code)
		}
	})
	lines := bufio.NewScanner(out)
	var got []string
	for len(got) < n && lines.Scan() {
		got = append(got, lines.Text())
	}
	go io.Copy(io.Discard, out)
	if len(got) < n || !strings.Contains(got[0], "listening on") {
		t.Fatalf("start-up lines %q", got)
	}
	return got
}

// serveURL is the address in kds serve's start-up line.
func serveURL(lines []string) string {
	f := strings.Fields(lines[0])
	return f[len(f)-1]
}

// fetch GETs url and returns the final response's status, path and body.
func fetch(t *testing.T, url string) (int, string, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Request.URL.Path, string(body)
}

func TestDashboardBesideTheAPI(t *testing.T) {
	lines := startServe(t, 2, "--stream", "orders:2")
	url := serveURL(lines)
	if want := "kds serve: dashboard at " + url + "/kds/"; lines[1] != want {
		t.Errorf("start-up lines %q, want %q second", lines, want)
	}

	code, _, body := fetch(t, url+"/kds/")
	if code != http.StatusOK || !strings.Contains(body, `<a href="stream?name=orders">orders</a>`) {
		t.Errorf("GET /kds/: %d\n%s", code, body)
	}
	if code, path, _ := fetch(t, url+"/kds"); code != http.StatusOK || path != "/kds/" {
		t.Errorf("GET /kds: %d at %s, want the dashboard at /kds/", code, path)
	}
	if code, _, body := fetch(t, url+"/kds/api/stream?name=orders"); code != http.StatusOK || !strings.Contains(body, `"openShards": 2`) {
		t.Errorf("GET /kds/api/stream?name=orders: %d\n%s", code, body)
	}
	// Every other GET is refused as Kinesis refuses it.
	for _, path := range []string{"/", "/kdsx", "/other/kds/"} {
		if code, _, body := fetch(t, url+path); code != http.StatusForbidden || !strings.Contains(body, "AccessDeniedException") {
			t.Errorf("GET %s: %d %s, want 403 AccessDeniedException", path, code, body)
		}
	}
	// Kinesis calls get through on any path, the dashboard's too.
	for _, path := range []string{"/", "/kds/"} {
		describeSummary(t, http.DefaultClient, url+path)
	}
}

func TestDashboardTurnedOff(t *testing.T) {
	lines := startServe(t, 1, "--dashboard=false")
	if code, _, body := fetch(t, serveURL(lines)+"/kds/"); code != http.StatusForbidden || !strings.Contains(body, "AccessDeniedException") {
		t.Errorf("GET /kds/ without the dashboard: %d %s, want 403 AccessDeniedException", code, body)
	}
}
