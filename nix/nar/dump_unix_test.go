//go:build unix

package nar

import (
	"bytes"
	"io"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestDumpUnsupportedType(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Skip(err)
	}
	_, err := Dump(io.Discard, dir)
	if err == nil || err.Error() != "file '"+dir+"/fifo' has an unsupported type" {
		t.Errorf("err = %v", err)
	}
}

// TestDumpCaseHack checks the macOS case hack, whatever the system.
func TestDumpCaseHack(t *testing.T) {
	defer func(v bool) { useCaseHack = v }(useCaseHack)
	useCaseHack = true
	root := filepath.Join(t.TempDir(), "root")
	mkTree(t, root, []node{{"", 'd', ""}, {"a", 'f', "1"}, {"A~nix~case~hack~1", 'f', "2"}, {"b", 'd', ""}})
	var buf bytes.Buffer
	if _, err := Dump(&buf, root); err != nil {
		t.Fatal(err)
	}
	file := func(c string) []any { return []any{"(", "type", "regular", "contents", c, ")"} }
	if want := dirNAR(entry("A", file("2")...), entry("a", file("1")...), entry("b", dirNode...)); !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Dump =\n%q\nwant\n%q", buf.Bytes(), want)
	}
	mkTree(t, root, []node{{"a~nix~case~hack~2", 'f', "3"}})
	if _, err := Dump(io.Discard, root); err == nil || !strings.Contains(err.Error(), "file name collision") {
		t.Errorf("collision: err = %v", err)
	}
}
