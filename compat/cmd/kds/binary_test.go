package main

import (
	"bufio"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildKDS builds the kds binary into a temporary directory.
func buildKDS(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "kds")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestServeStartsFastAndStopsOnSIGTERM runs the built binary a few times
// and measures from process start to the first HTTP answer. Each run ends
// with SIGTERM, which must make kds exit 0 promptly.
func TestServeStartsFastAndStopsOnSIGTERM(t *testing.T) {
	bin := buildKDS(t)
	const runs = 5
	var startups []time.Duration
	for range runs {
		startups = append(startups, startAndStop(t, bin))
	}
	slices.Sort(startups)
	t.Logf("start-up to first answer over %d runs: min %v, median %v, max %v", runs, startups[0], startups[runs/2], startups[runs-1])
	// The best run tells what the binary costs; the others include
	// whatever else this shared machine was doing.
	if startups[0] >= 100*time.Millisecond {
		t.Errorf("fastest start-up took %v, want well under 100ms", startups[0])
	}
}

// startAndStop starts kds serve, waits for its first answer, sends SIGTERM
// and checks the exit. It returns the time to the first answer.
func startAndStop(t *testing.T, bin string) time.Duration {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	defer func() {
		cmd.Process.Kill() // in case the test failed before it exited
		<-exited
	}()

	line, err := bufio.NewReader(stdout).ReadString('\n')
	go func() {
		io.Copy(io.Discard, stdout)
		waitErr = cmd.Wait()
		close(exited)
	}()
	if err != nil {
		t.Fatalf("reading the start-up line: %v; stderr:\n%s", err, stderr.String())
	}
	fields := strings.Fields(line)
	url := fields[len(fields)-1]
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("start-up line %q does not end in the real listening URL", line)
	}

	client := &http.Client{Timeout: time.Second}
	var startup time.Duration
	for {
		resp, err := client.Post(url, "application/x-amz-json-1.1", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
			startup = time.Since(start)
			break
		}
		if time.Since(start) > 5*time.Second {
			t.Fatalf("no answer within 5s: %v", err)
		}
		time.Sleep(time.Millisecond)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	sent := time.Now()
	select {
	case <-exited:
		if waitErr != nil {
			t.Errorf("exit after SIGTERM: %v; stderr:\n%s", waitErr, stderr.String())
		}
		if d := time.Since(sent); d > time.Second {
			t.Errorf("exit took %v after SIGTERM", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("still running 5s after SIGTERM; stderr:\n%s", stderr.String())
	}
	return startup
}
