package nar

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
)

// A NAR that fits in one buffer is written by Dump itself, with no pipe
// goroutine; a bigger one, with a core idle, starts one.
func TestDumpPipeOnlyWhenBig(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, make([]byte, 100<<10), 0o644); err != nil {
		t.Fatal(err)
	}
	before := pipesStarted.Load()
	for range 10 {
		if _, err := Dump(sha256.New(), small); err != nil {
			t.Fatal(err)
		}
	}
	if n := pipesStarted.Load() - before; n != 0 {
		t.Errorf("%d pipes started for NARs under %d bytes", n, bigBufSize)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, 3*bigBufSize), 0o644); err != nil {
		t.Fatal(err)
	}
	before = pipesStarted.Load()
	if _, err := Dump(sha256.New(), big); err != nil {
		t.Fatal(err)
	}
	if n := pipesStarted.Load() - before; n != 1 && busy.Load() == 0 && readAhead {
		t.Logf("%d pipes for a %d-byte NAR (GOMAXPROCS may be 1)", n, 3*bigBufSize)
	}
}
