package browsertest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot is the root module's directory, from this package's.
const repoRoot = "../../.."

// The simulation example writes an HTML report of SVG charts; it must
// render in a browser. The example lives in the root module, which may
// not use chromedp, so the check is here.
func TestSimulationReportRenders(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs examples/simulation")
	}
	bin := filepath.Join(t.TempDir(), "simulation")
	build := exec.Command("go", "build", "-o", bin, "./examples/simulation")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./examples/simulation: %v\n%s", err, out)
	}
	help, _ := exec.Command(bin, "-h").CombinedOutput() // -h exits 2
	if !strings.Contains(string(help), "-report") {
		t.Fatalf("examples/simulation has no -report flag (its -h lists none):\n%s", help)
	}
	dir := t.TempDir()
	report := filepath.Join(dir, "sim.html")
	run := exec.Command(bin, "-short", "--report", report)
	run.Dir = dir // whatever else it writes stays there
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("simulation -short --report: %v\n%s", err, out)
	}
	New(t, 15*time.Second).CheckFileRenders(t, report)
}
