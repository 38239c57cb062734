package cache

import (
	"bytes"
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// mountTmpfs mounts a tmpfs with options opts on a new directory, for the
// rest of the test. It skips the test when that is not possible (not root,
// or no CAP_SYS_ADMIN in a container).
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, opts); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// remountReadOnly makes the tmpfs at dir read-only.
func remountReadOnly(t *testing.T, dir string) {
	t.Helper()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
		t.Fatalf("remount read-only: %v", err)
	}
}

// TestFaultReadOnly writes to a cache on a read-only file system (where
// even root cannot write): reading works, every write fails with an error
// naming the file, and nothing changes.
func TestFaultReadOnly(t *testing.T) {
	dir := mountTmpfs(t, "size=4m")
	c, err := Open("file://"+dir, "/nix/store", true)
	if err != nil {
		t.Fatal(err)
	}
	addVectors(t, c, Zstd)
	remountReadOnly(t, dir)
	before := listing(t, dir)

	if _, err := Open("file://"+dir, "/nix/store", true); err != nil {
		t.Errorf("Open of a complete read-only cache: %v", err)
	}
	if _, err := Open("file://"+dir+"/sub", "/nix/store", true); err == nil ||
		err.Error() != "cannot create binary cache directory "+dir+"/sub: read-only file system" {
		t.Errorf("Open(create) under a read-only dir: %v", err)
	}
	if err := c.NAR(ctx, helloPath, io.Discard); err != nil {
		t.Errorf("NAR: %v", err)
	}
	data := narFile(t, []byte("new\n"))
	err = c.Add(ctx, entryFor(t, "00000000000000000000000000000000-x", data), bytes.NewReader(data), Zstd)
	if err == nil || err.Error() != "cannot write the NAR of /nix/store/00000000000000000000000000000000-x to "+dir+"/nar: read-only file system" ||
		!errors.Is(err, syscall.EROFS) {
		t.Errorf("Add: %v", err)
	}
	err = c.AddSignatures(ctx, helloPath, []string{"k:new"})
	if err == nil || err.Error() != "cannot write "+dir+"/z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo: read-only file system" {
		t.Errorf("AddSignatures: %v", err)
	}
	if after := listing(t, dir); !slices.Equal(before, after) {
		t.Errorf("read-only cache changed: %q", after)
	}
}

// TestFaultTinyDisk fills a 64 KiB tmpfs: the error names the directory,
// the temporary file is removed (so the space is back), and a smaller path
// fits afterwards.
func TestFaultTinyDisk(t *testing.T) {
	dir := mountTmpfs(t, "size=64k")
	c, err := Open("file://"+dir, "/nix/store", true)
	if err != nil {
		t.Fatal(err)
	}
	before := listing(t, dir)
	big := incompressible(t, 256<<10)
	for _, comp := range compressions {
		err := c.Add(ctx, entryFor(t, "00000000000000000000000000000000-big", big), bytes.NewReader(big), comp)
		if err == nil || !strings.HasPrefix(err.Error(), "cannot write ") || !strings.Contains(err.Error(), dir) ||
			!errors.Is(err, syscall.ENOSPC) {
			t.Errorf("%s: %v", comp, err)
		}
		if after := listing(t, dir); !slices.Equal(before, after) {
			t.Errorf("%s: left %q", comp, after)
		}
	}
	small := incompressible(t, 20<<10)
	if err := c.Add(ctx, entryFor(t, "11111111111111111111111111111111-small", small), bytes.NewReader(small), None); err != nil {
		t.Errorf("small path after a full disk: %v", err)
	}
	noTemp(t, c)
}
