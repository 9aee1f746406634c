package agent

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestRenameAndCreate: the log is renamed away and a new one created at
// its name. The old file is read to its end through the open handle, even
// bytes a writer adds after the rename, and the new file from its start.
func TestRenameAndCreate(t *testing.T) {
	h := newHarness(t, nil)
	old := lines("old", 0, 20)
	h.write("app.log", join(old[:10]))
	h.poll()
	// A writer still holds the old file open.
	w, err := os.OpenFile(h.path("app.log"), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	io.WriteString(w, join(old[10:15]))
	if err := os.Rename(h.path("app.log"), h.path("app.log.1")); err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, join(old[15:19]))
	h.write("app.log", "new 0\n")
	h.poll()
	io.WriteString(w, old[19]) // late write through the old handle
	h.write("app.log", "new 1\n")
	h.poll() // second poll without the old file: drained and closed
	h.poll()
	h.wantRecords(append(old, "new 0\n", "new 1\n")...)
	if s := h.a.Stats(); s.Gone != 1 || s.Files != 1 {
		t.Errorf("stats %+v", s)
	}
}

// TestRenameWithinPattern: with a pattern that matches the rotated names
// too, a renamed file is the same file under a new name.
func TestRenameWithinPattern(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.FilePattern += "*" })
	h.write("app.log", "a\nb\n")
	h.poll()
	h.write("app.log", "c\n")
	os.Rename(h.path("app.log.1"), h.path("app.log.2")) // nothing there yet
	os.Rename(h.path("app.log"), h.path("app.log.1"))
	h.write("app.log", "d\n")
	h.poll()
	h.restart()
	h.write("app.log", "e\n")
	h.poll()
	h.wantRecords("a\n", "b\n", "c\n", "d\n", "e\n")
	if s := h.a.Stats(); s.Files != 2 {
		t.Errorf("Files = %d", s.Files)
	}
}

// copyTruncate does what logrotate's copytruncate does: copy the file to
// dst, then truncate it in place.
func copyTruncate(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(src, 0); err != nil {
		t.Fatal(err)
	}
}

// TestCopyTruncate: the rotated copy matches the pattern, so the lines
// written between the last poll and the copy are read from the copy, and
// nothing is sent twice.
func TestCopyTruncate(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.FilePattern += "*" })
	gen1 := lines("generation one, a line long enough to fill the fingerprint", 0, 30)
	gen2 := lines("generation two, a line long enough to fill the fingerprint", 0, 30)
	h.write("app.log", join(gen1[:20]))
	h.poll()
	h.write("app.log", join(gen1[20:]))
	copyTruncate(t, h.path("app.log"), h.path("app.log.1"))
	h.write("app.log", join(gen2[:10]))
	h.poll()
	h.write("app.log", join(gen2[10:20]))
	h.poll()
	h.wantRecords(append(gen1[:30:30], gen2[:20]...)...)
	if s := h.a.Stats(); s.Truncations != 1 || s.Copies != 1 || s.Files != 2 {
		t.Errorf("stats %+v", s)
	}
	// Rotate again: app.log.1 moves to app.log.2, app.log is copied to
	// app.log.1 and truncated; then the agent restarts.
	h.write("app.log", join(gen2[20:]))
	os.Rename(h.path("app.log.1"), h.path("app.log.2"))
	copyTruncate(t, h.path("app.log"), h.path("app.log.1"))
	h.write("app.log", "gen3 0\n")
	h.poll()
	h.restart()
	h.write("app.log", "gen3 1\n")
	h.poll()
	h.wantRecords(append(append(gen1[:30:30], gen2...), "gen3 0\n", "gen3 1\n")...)
	if s := h.a.Stats(); s.Files != 3 {
		t.Errorf("Files = %d", s.Files)
	}
}

// TestCopyTruncateCopyFirst: the poll falls between the copy and the
// truncation. The copy is held until the original is truncated, so its
// lines are not sent twice.
func TestCopyTruncateCopyFirst(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.FilePattern += "*" })
	gen1 := lines("generation one, a line long enough to fill the fingerprint", 0, 30)
	h.write("app.log", join(gen1[:20]))
	h.poll()
	h.write("app.log", join(gen1[20:25]))
	b, _ := os.ReadFile(h.path("app.log"))
	os.WriteFile(h.path("app.log.1"), b, 0o644)
	h.poll()
	h.write("app.log", join(gen1[25:])) // lost by the rotation itself
	os.Truncate(h.path("app.log"), 0)
	h.write("app.log", "gen2 0\n")
	h.poll()
	h.wantRecords(append(gen1[:25:25], "gen2 0\n")...)
}

// TestCopyTruncateCopyNotMatched: with the copy outside the pattern, the
// truncated file starts over; what it held and the agent had not read by
// then is lost, as with any tailer.
func TestCopyTruncateCopyNotMatched(t *testing.T) {
	h := newHarness(t, nil)
	h.write("app.log", "a\nb\n")
	h.poll()
	h.write("app.log", "c\n")
	copyTruncate(t, h.path("app.log"), filepath.Join(h.dir, "app.log.1"))
	h.write("app.log", "d\n")
	h.poll()
	h.write("app.log", "e\n")
	h.poll()
	h.wantRecords("a\n", "b\n", "d\n", "e\n")
	if s := h.a.Stats(); s.Truncations != 1 {
		t.Errorf("Truncations = %d", s.Truncations)
	}
}

// TestTruncateAndRegrow: a file truncated and rewritten past the old
// offset between two polls is caught by its fingerprint.
func TestTruncateAndRegrow(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.SkipHeaderLines = 1 })
	h.write("app.log", "header\nold 1\n")
	h.poll()
	os.WriteFile(h.path("app.log"), []byte("HEADER\nnew 1\nnew 2\nnew 3\n"), 0o644)
	h.poll()
	h.wantRecords("old 1\n", "new 1\n", "new 2\n", "new 3\n")
}

// TestDeletedFile: a deleted file is read to its end and forgotten; its
// checkpoint goes with it.
func TestDeletedFile(t *testing.T) {
	h := newHarness(t, nil)
	h.write("app.log", "a\n")
	h.poll()
	h.write("app.log", "b\n")
	os.Remove(h.path("app.log"))
	h.poll()
	h.poll()
	h.wantRecords("a\n", "b\n")
	if s := h.a.Stats(); s.Files != 0 {
		t.Errorf("Files = %d", s.Files)
	}
	cp, _, _ := loadCheckpoints(h.cfg.CheckpointFile)
	if len(cp) != 0 {
		t.Errorf("checkpoint keeps %v", cp)
	}
}

// TestChangedWhileDown: a checkpoint for a file whose first bytes
// changed while the agent was down is not applied.
func TestChangedWhileDown(t *testing.T) {
	h := newHarness(t, nil)
	h.write("app.log", "first generation\n")
	h.poll()
	h.restart()
	os.WriteFile(h.path("app.log"), []byte("second generation, longer than the first\n"), 0o644)
	h.poll()
	h.wantRecords("first generation\n", "second generation, longer than the first\n")
}
