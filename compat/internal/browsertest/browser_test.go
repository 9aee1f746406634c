package browsertest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// writeFile writes an HTML file into a temporary directory.
func writeFile(t *testing.T, html string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(path, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestFileRenders(t *testing.T) {
	b := New(t, 15*time.Second)
	b.CheckFileRenders(t, writeFile(t, `<!doctype html><title>ok</title>
<svg width="200" height="100"><rect width="200" height="100" fill="teal"/></svg>`))
}

// The checks must see what goes wrong, or they prove nothing.
func TestProblemsAreSeen(t *testing.T) {
	b := New(t, 15*time.Second)
	path := writeFile(t, `<!doctype html><title>broken</title>
<svg style="width:0;height:0"></svg>
<script>console.error("boom"); notDefined();</script>`)
	b.Do(t, chromedp.Navigate(fileURL(t, path)), chromedp.WaitReady(chromedp.CSS("body")))
	if sizes := Get(t, b, chromedp.Evaluate[[][2]float64](svgSizes)); len(sizes) != 1 || sizes[0] != [2]float64{0, 0} {
		t.Errorf("svg sizes %v, want one drawn 0x0", sizes)
	}
	got := strings.Join(b.Problems(t), "\n")
	for _, want := range []string{"boom", "notDefined"} {
		if !strings.Contains(got, want) {
			t.Errorf("problems %q, want one about %q", got, want)
		}
	}
}
