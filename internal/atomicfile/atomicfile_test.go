package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteReplaces checks that Write replaces a file's content and
// leaves no temporary file behind.
func TestWriteReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, content := range []string{"first", "second, longer"} {
		if err := Write(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Fatalf("content %q (%v), want %q", got, err, content)
		}
	}
	if names := list(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only state.json", names)
	}
}

// TestWriteFuncFailure checks that a failing writer leaves the old file
// as it was, removes its temporary file and returns the writer's error.
func TestWriteFuncFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "object")
	if err := Write(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteFunc(path, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WriteFunc: %v, want the writer's error", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("content %q after a failed write, want the old one", got)
	}
	if names := list(t, dir); len(names) != 1 {
		t.Errorf("directory holds %v, want only object", names)
	}
}

// TestWriteFuncMissingDirectory checks that WriteFunc reports a missing
// directory without calling the writer.
func TestWriteFuncMissingDirectory(t *testing.T) {
	called := false
	err := WriteFunc(filepath.Join(t.TempDir(), "no", "such", "file"), func(io.Writer) error {
		called = true
		return nil
	})
	if err == nil || called {
		t.Errorf("WriteFunc: %v, writer called %v; want an error and no call", err, called)
	}
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
