package cache

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nixsign/nixsign/internal/fsutil"
)

// untrustedFiles are the ways a cache's metadata file can be something a
// reader must not read whole: named after what the error says.
var untrustedFiles = []struct {
	name string
	make func(t *testing.T, p string)
	want string
}{
	{"fifo", func(t *testing.T, p string) {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}, "is a named pipe (FIFO), not a regular file"},
	{"dev-zero", func(t *testing.T, p string) {
		if err := os.Symlink("/dev/zero", p); err != nil {
			t.Fatal(err)
		}
	}, "is a character device, not a regular file"},
	{"huge", func(t *testing.T, p string) {
		if err := os.WriteFile(p, bytes.Repeat([]byte("Sig: x\n"), maxMetaSize/7+1), 0o644); err != nil {
			t.Fatal(err)
		}
	}, "is larger than 1 MiB"},
}

// within fails the test if f does not return within a few seconds: before
// the reads were bounded, a FIFO made them block forever.
func within(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}

// A narinfo that is a FIFO, a link to /dev/zero or too large gives an
// error naming the file and what is wrong with it, at once, from NarInfo,
// PathInfo, Has-then-read callers, AddSignatures and Paths alike.
func TestUntrustedNarInfo(t *testing.T) {
	for _, tt := range untrustedFiles {
		t.Run(tt.name, func(t *testing.T) {
			c := newCache(t)
			addVectors(t, c, None)
			name := filepath.Join(c.dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
			if err := os.Remove(name); err != nil {
				t.Fatal(err)
			}
			tt.make(t, name)
			want := "cannot read " + name + ": " + tt.want
			within(t, "NarInfo", func() {
				if _, err := c.NarInfo(ctx, helloPath); err == nil || err.Error() != want {
					t.Errorf("NarInfo: %v\nwant %s", err, want)
				}
				if _, err := c.PathInfo(ctx, helloPath); err == nil || !errors.Is(err, fsutil.ErrNotRegular) && !errors.Is(err, fsutil.ErrTooLarge) {
					t.Errorf("PathInfo: %v", err)
				}
				if err := c.AddSignatures(ctx, helloPath, []string{"k:sig"}); err == nil || err.Error() != want {
					t.Errorf("AddSignatures: %v\nwant %s", err, want)
				}
			})
			within(t, "Paths", func() {
				paths, err := c.Paths(ctx)
				if err == nil || err.Error() != want {
					t.Errorf("Paths error: %v\nwant %s", err, want)
				}
				if len(paths) == 0 || strings.Contains(strings.Join(paths, " "), "hello.txt") {
					t.Errorf("Paths = %q: want the others", paths)
				}
			})
		})
	}
}

// So does a nix-cache-info that is one of these, when the cache is opened.
func TestUntrustedCacheInfo(t *testing.T) {
	for _, tt := range untrustedFiles {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			name := filepath.Join(dir, "nix-cache-info")
			tt.make(t, name)
			within(t, "Open", func() {
				_, err := Open("file://"+dir, "/nix/store", false)
				if want := "cannot read " + name + ": " + tt.want; err == nil || err.Error() != want {
					t.Errorf("Open: %v\nwant %s", err, want)
				}
			})
		})
	}
}
