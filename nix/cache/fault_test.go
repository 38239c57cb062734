package cache

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// fullWriter fails with ENOSPC once it has taken room bytes.
type fullWriter struct {
	w    io.Writer
	room int
}

func (f *fullWriter) Write(p []byte) (int, error) {
	if len(p) > f.room {
		n, _ := f.w.Write(p[:f.room])
		f.room = 0
		return n, syscall.ENOSPC
	}
	f.room -= len(p)
	return f.w.Write(p)
}

// failWrites makes writes of temporary files whose prefix contains match
// fail after room bytes, until the test ends.
func failWrites(t *testing.T, match string, room int) {
	testHookWriter = func(dir, prefix string, w io.Writer) io.Writer {
		if strings.Contains(prefix, match) {
			return &fullWriter{w: w, room: room}
		}
		return w
	}
	t.Cleanup(func() { testHookWriter = nil })
}

// incompressible returns the NAR of a file of n random bytes.
func incompressible(t testing.TB, n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return narFile(t, b)
}

// TestFaultFullDisk fills the disk (a fake writer) while the NAR, then the
// narinfo, is written: a one-line error naming the directory or file, and
// nothing half-written.
func TestFaultFullDisk(t *testing.T) {
	data := incompressible(t, 1<<20)
	for _, comp := range compressions {
		t.Run(string(comp), func(t *testing.T) {
			c := newCache(t)
			before := listing(t, c.dir)
			failWrites(t, "nar", 100<<10)
			err := c.Add(ctx, entryFor(t, "00000000000000000000000000000000-x", data), bytes.NewReader(data), comp)
			want := "cannot write the NAR of /nix/store/00000000000000000000000000000000-x to " + c.dir + "/nar: no space left on device"
			if err == nil || err.Error() != want || !errors.Is(err, syscall.ENOSPC) {
				t.Errorf("error %v, want %q", err, want)
			}
			if after := listing(t, c.dir); !slices.Equal(before, after) {
				t.Errorf("left %q", after)
			}
		})
	}

	// The narinfo cannot be written: no narinfo, and the NAR file stays,
	// unreferenced.
	c := newCache(t)
	failWrites(t, ".narinfo", 10)
	err := c.Add(ctx, entryFor(t, "00000000000000000000000000000000-x", data), bytes.NewReader(data), Zstd)
	name := filepath.Join(c.dir, "00000000000000000000000000000000.narinfo")
	if err == nil || err.Error() != "cannot write "+name+": no space left on device" {
		t.Errorf("error %v", err)
	}
	if ok, _ := c.Has(ctx, "/nix/store/00000000000000000000000000000000-x"); ok {
		t.Error("a narinfo was written")
	}
	noTemp(t, c)

	// AddSignatures keeps the old narinfo whole.
	testHookWriter = nil
	addVectors(t, c, None)
	old, _ := os.ReadFile(filepath.Join(c.dir, "qyg4k09x25qhai8v5zk0idkmv8mq4wwl.narinfo"))
	failWrites(t, ".narinfo", 10)
	if err := c.AddSignatures(ctx, "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a", []string{"k:new"}); !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("AddSignatures: %v", err)
	}
	if now, _ := os.ReadFile(filepath.Join(c.dir, "qyg4k09x25qhai8v5zk0idkmv8mq4wwl.narinfo")); !bytes.Equal(old, now) {
		t.Errorf("narinfo changed to\n%s", now)
	}
	noTemp(t, c)

	// Open cannot write nix-cache-info.
	failWrites(t, "nix-cache-info", 0)
	dir := t.TempDir()
	if _, err := Open("file://"+dir, "/nix/store", true); err == nil ||
		err.Error() != "cannot write "+dir+"/nix-cache-info: no space left on device" {
		t.Errorf("Open: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nix-cache-info")); err == nil {
		t.Error("nix-cache-info written")
	}
}
