package fsutil

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadSmallFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := write("small", "hello\n")
	empty := write("empty", "")
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("small", link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		max      int64
		noFollow bool
		want     string
		err      string // the whole message
		is       []error
	}{
		{name: small, max: 6, want: "hello\n"},
		{name: small, max: 100, want: "hello\n"},
		{name: empty, max: 0, want: ""},
		{name: link, max: 6, want: "hello\n"},
		{name: small, max: 6, noFollow: true, want: "hello\n"},
		{name: os.DevNull, max: 10, want: ""},
		{name: small, max: 5, err: "read " + small + ": is larger than 5 bytes", is: []error{ErrTooLarge}},
		{name: fifo, max: 1 << 20, err: "read " + fifo + ": is a named pipe (FIFO), not a regular file", is: []error{ErrNotRegular}},
		{name: "/dev/zero", max: 1 << 20, err: "read /dev/zero: is a character device, not a regular file", is: []error{ErrNotRegular}},
		{name: sub, max: 64 << 10, err: "read " + sub + ": is a directory", is: []error{ErrNotRegular, syscall.EISDIR}},
		{name: link, max: 6, noFollow: true, err: "open " + link + ": is a symbolic link", is: []error{syscall.ELOOP}},
		{name: filepath.Join(dir, "none"), max: 6, err: "open " + dir + "/none: no such file or directory", is: []error{fs.ErrNotExist}},
		{name: small + "/x", max: 6, err: "open " + small + "/x: not a directory", is: []error{syscall.ENOTDIR}},
	} {
		read := ReadSmallFile
		if tt.noFollow {
			read = ReadSmallFileNoFollow
		}
		got, err := withTimeout(t, func() ([]byte, error) { return read(tt.name, tt.max) })
		if tt.err == "" {
			if err != nil || string(got) != tt.want || got == nil {
				t.Errorf("read(%q, %d) = %q, %v; want %q", tt.name, tt.max, got, err, tt.want)
			}
			continue
		}
		if err == nil || err.Error() != tt.err || got != nil {
			t.Errorf("read(%q, %d) = %q, %v; want error %q", tt.name, tt.max, got, err, tt.err)
			continue
		}
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != tt.name {
			t.Errorf("read(%q): error %#v is not a *fs.PathError naming the file", tt.name, err)
		}
		for _, target := range tt.is {
			if !errors.Is(err, target) {
				t.Errorf("read(%q): error %v does not match %v", tt.name, err, target)
			}
		}
	}
}

// A directory fails with the very message os.ReadFile gives.
func TestReadSmallFileDirAsReadFile(t *testing.T) {
	dir := t.TempDir()
	_, want := os.ReadFile(dir)
	_, err := ReadSmallFile(dir, 10)
	if want == nil || err == nil || err.Error() != want.Error() {
		t.Errorf("ReadSmallFile(dir) = %v, os.ReadFile = %v", err, want)
	}
}

// Files whose size stat does not tell (procfs says 0) are still bounded by
// the reading itself.
func TestReadSmallFileGrowing(t *testing.T) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil || len(data) < 20 {
		t.Skip("no /proc/self/status")
	}
	if _, err := ReadSmallFile("/proc/self/status", 10); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "is larger than 10 bytes") {
		t.Errorf("ReadSmallFile(/proc/self/status, 10) error = %v", err)
	}
	got, err := ReadSmallFile("/proc/self/maps", 1<<20)
	if err != nil || len(got) == 0 {
		t.Errorf("ReadSmallFile(/proc/self/maps) = %d bytes, %v", len(got), err)
	}
}

// A file at the limit is read whole, with one allocation of the right size.
func TestReadSmallFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	data := bytes.Repeat([]byte("x"), 64<<10)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSmallFile(p, 64<<10)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("at the limit: %d bytes, %v", len(got), err)
	}
	if _, err := ReadSmallFile(p, 64<<10-1); err == nil || err.Error() != "read "+p+": is larger than 65535 bytes" {
		t.Errorf("one byte over: %v", err)
	}
	if _, err := ReadSmallFile(p, 32<<10); err == nil || err.Error() != "read "+p+": is larger than 32 KiB" {
		t.Errorf("over: %v", err)
	}
	if n := testing.AllocsPerRun(20, func() { ReadSmallFile(p, 1<<20) }); n > 8 {
		t.Errorf("%v allocations per read", n)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 64 << 10: "64 KiB", 1000: "1000 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
}

func withTimeout(t *testing.T, f func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type result struct {
		b   []byte
		err error
	}
	ch := make(chan result, 1)
	go func() {
		b, err := f()
		ch <- result{b, err}
	}()
	select {
	case r := <-ch:
		return r.b, r.err
	case <-time.After(10 * time.Second):
		t.Fatal("read blocked")
		return nil, nil
	}
}

// A narinfo-sized file: ReadSmallFile costs what os.ReadFile does.
func BenchmarkReadSmallFile(b *testing.B) {
	p := filepath.Join(b.TempDir(), "f")
	if err := os.WriteFile(p, bytes.Repeat([]byte("References: x\n"), 100), 0o644); err != nil {
		b.Fatal(err)
	}
	b.Run("ReadSmallFile", func(b *testing.B) {
		for b.Loop() {
			if _, err := ReadSmallFile(p, 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("os.ReadFile", func(b *testing.B) {
		for b.Loop() {
			if _, err := os.ReadFile(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}
