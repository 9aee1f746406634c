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
	return startServeLogging(t, n, io.Discard, args...)
}

// startServeLogging is startServe with kds serve's stderr going to stderr.
func startServeLogging(t *testing.T, n int, stderr io.Writer, args ...string) []string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	out, w := io.Pipe()
	exited := make(chan int, 1)
	go func() {
		code := runServe(ctx, append([]string{"--addr", "127.0.0.1:0", "--log-level", "warn"}, args...), w, stderr)
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

// The dashboard answers anyone who connects, as the account root: with
// -credentials kds serve leaves it off (GET /kds/ is refused as Kinesis
// refuses a GET), unless -dashboard asks for it, which it then serves with
// a warning.
func TestDashboardOffWhenSecured(t *testing.T) {
	creds := credentialsFile(t, `[{"AccessKeyId": "AKID", "SecretAccessKey": "s", "Principal": "arn:aws:iam::000000000000:user/u"}]`)
	const warning = "kds serve: warning: the dashboard at /kds/ is not authenticated"
	t.Run("by default", func(t *testing.T) {
		var stderr syncBuffer
		lines := startServeLogging(t, 1, &stderr, "--credentials", creds, "--stream", "payroll")
		if code, _, body := fetch(t, serveURL(lines)+"/kds/api/streams"); code != http.StatusForbidden || strings.Contains(body, "payroll") {
			t.Errorf("GET /kds/api/streams: %d %s, want 403 and no stream names", code, body)
		}
		if strings.Contains(stderr.String(), warning) {
			t.Errorf("warned about a dashboard that is off:\n%s", stderr.String())
		}
	})
	t.Run("asked for", func(t *testing.T) {
		var stderr syncBuffer
		lines := startServeLogging(t, 2, &stderr, "--credentials", creds, "--dashboard", "--stream", "payroll")
		if code, _, body := fetch(t, serveURL(lines)+"/kds/api/streams"); code != http.StatusOK || !strings.Contains(body, "payroll") {
			t.Errorf("GET /kds/api/streams: %d %s, want the dashboard's answer", code, body)
		}
		if !strings.Contains(stderr.String(), warning) {
			t.Errorf("no warning that the dashboard is unauthenticated:\n%s", stderr.String())
		}
	})
}
