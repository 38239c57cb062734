package hook

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The log is appended to a regular file only: the hook runs as root, so a
// symbolic link or a FIFO planted at log_file must not be followed or
// block it.
func TestAppendLogRefusesLinksAndFIFOs(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("untouched\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.jsonl")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	entry := []LogEntry{{Status: StatusSigned}}
	if err := appendLog(link, entry); err == nil {
		t.Error("appendLog followed a symbolic link")
	}
	if b, _ := os.ReadFile(target); string(b) != "untouched\n" {
		t.Errorf("target changed: %q", b)
	}
	fifo := filepath.Join(dir, "fifo.jsonl")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// With no reader, opening it for writing fails at once (ENXIO) rather
	// than blocking.
	if err := appendLog(fifo, entry); err == nil {
		t.Error("appendLog wrote to a FIFO")
	}
	if err := appendLog(dir, entry); err == nil {
		t.Error("appendLog wrote to a directory")
	}
	plain := filepath.Join(dir, "log.jsonl")
	if err := appendLog(plain, entry); err != nil {
		t.Fatal(err)
	}
	if err := appendLog(plain, entry); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(plain); strings.Count(string(b), "\n") != 2 {
		t.Errorf("log = %q", b)
	}
}
