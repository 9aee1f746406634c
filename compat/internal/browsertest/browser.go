// Package browsertest drives a real browser from Go tests: headless
// Chromium from Debian's chromium package, through the DevTools protocol
// (chromedp). A test that needs it is skipped, loudly, where the package
// is not installed; .ci/run installs it.
package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package installs the browser.
const ChromiumPath = "/usr/bin/chromium"

// syncMarker is what [Browser.CheckNoProblems] logs to know that every
// message before it has arrived.
const syncMarker = "browsertest: sync"

// Browser is one tab of a headless Chromium, recording what its pages
// report as going wrong: console errors, uncaught exceptions and error
// entries of the browser's log, failed loads among them.
type Browser struct {
	ctx    context.Context
	synced chan struct{}

	mu       sync.Mutex
	problems []string
}

// New starts headless Chromium for the test, with a fresh profile, and
// stops it when the test ends; everything the test does with it must
// finish within timeout. Without Chromium the test is skipped.
func New(t *testing.T, timeout time.Duration) *Browser {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		t.Skipf("SKIPPED: no browser at %s (%v). Install Debian's package: apt-get install -y chromium", ChromiumPath, err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(ChromiumPath),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless,
		chromedp.NoSandbox, // tests may run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// No outside host is reachable: keep Chromium from trying.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 1000),
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	b := &Browser{ctx: bctx, synced: make(chan struct{}, 1)}
	collected := make(chan struct{})
	t.Cleanup(func() {
		cancelBrowser()
		<-collected
		cancelAlloc()
		cancel()
	})
	if err := chromedp.Do(bctx); err != nil {
		close(collected)
		t.Fatalf("starting %s: %v", ChromiumPath, err)
	}
	messages := chromedp.Console(bctx)
	go func() {
		defer close(collected)
		for m, err := range messages {
			if err != nil {
				return
			}
			b.note(m)
		}
	}()
	return b
}

// note records m if it tells of a problem, and answers a sync marker.
func (b *Browser) note(m chromedp.ConsoleMessage) {
	switch {
	case m.Type == chromedp.ConsoleDebug && m.Text == syncMarker:
		b.synced <- struct{}{}
	case m.Type == chromedp.ConsoleError || m.IsException():
		b.mu.Lock()
		b.problems = append(b.problems, fmt.Sprintf("%s (%s:%d)", m, m.URL, m.Line+1))
		b.mu.Unlock()
	}
}

// Do runs steps in the tab and fails the test if one fails.
func (b *Browser) Do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// Get runs action in b's tab and returns its value; it fails the test if
// the action fails.
func Get[T any](t *testing.T, b *Browser, action chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, action)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return v
}

// WaitFor is a step that polls the JavaScript expression expr until it is
// true, and fails if that takes longer than timeout.
func WaitFor(expr string, timeout time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(timeout))
}

// Problems returns every console error, uncaught exception and browser
// log error seen so far.
func (b *Browser) Problems(t *testing.T) []string {
	t.Helper()
	// Messages arrive in order: once the marker is in, so is all before.
	b.Do(t, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.debug(%q)", syncMarker)))
	select {
	case <-b.synced:
	case <-b.ctx.Done():
		t.Fatalf("browser: waiting for its console: %v", b.ctx.Err())
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.problems)
}

// CheckNoProblems fails the test for each of [Browser.Problems].
func (b *Browser) CheckNoProblems(t *testing.T) {
	t.Helper()
	for _, p := range b.Problems(t) {
		t.Errorf("browser: %s", p)
	}
}

// svgSizes is a script that lists the rendered width and height of every
// <svg> element of the page.
const svgSizes = `[...document.querySelectorAll("svg")].map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })`

// CheckSVGsRendered fails the test unless the page shows at least one
// <svg>, and every one with a non-zero size. It returns how many there
// are.
func (b *Browser) CheckSVGsRendered(t *testing.T) int {
	t.Helper()
	sizes := Get(t, b, chromedp.Evaluate[[][2]float64](svgSizes))
	if len(sizes) == 0 {
		t.Error("the page has no <svg> element")
	}
	for i, s := range sizes {
		if s[0] <= 0 || s[1] <= 0 {
			t.Errorf("<svg> %d is drawn %gx%g", i, s[0], s[1])
		}
	}
	return len(sizes)
}

// CheckFileRenders loads the HTML file at path and fails the test unless
// it shows SVG charts of non-zero size without console errors, exceptions
// or failed loads (in this or any earlier page of the Browser).
func (b *Browser) CheckFileRenders(t *testing.T, path string) {
	t.Helper()
	b.Do(t, chromedp.Navigate(fileURL(t, path)), chromedp.WaitReady(chromedp.CSS("body")))
	n := b.CheckSVGsRendered(t)
	t.Logf("%s: %d <svg> elements, all drawn", path, n)
	b.CheckNoProblems(t)
}

// fileURL is the file: URL of path.
func fileURL(t *testing.T, path string) string {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	return (&url.URL{Scheme: "file", Path: abs}).String()
}
