package fsutil

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWriteFileErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	mustWrite(t, file, "old", 0o644)
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	full := filepath.Join(dir, "full")
	os.Mkdir(full, 0o755)
	mustWrite(t, filepath.Join(full, "x"), "x", 0o644)
	for _, tt := range []struct {
		name   string
		op     string
		target error
		msg    string
	}{
		{filepath.Join(dir, "none", "f"), "createtemp", fs.ErrNotExist, ": no such file or directory"},
		{filepath.Join(file, "f"), "createtemp", syscall.ENOTDIR, ": not a directory"},
		{empty, "rename", syscall.EISDIR, ": is a directory"},
		{full, "rename", syscall.EISDIR, ": is a directory"},
		{file + "/", "createtemp", syscall.ENOTDIR, ": not a directory"},
		{empty + "/", "rename", syscall.ENOTDIR, ": not a directory"},
	} {
		err := WriteFile(tt.name, []byte("new"), 0o644, nil)
		want := ""
		if tt.msg != "" {
			want = tt.op + " " + tt.name + tt.msg
		}
		checkPathError(t, err, tt.op, tt.name, tt.target, want)
	}
	if fi, err := os.Lstat(empty); err != nil || !fi.IsDir() {
		t.Error("the directory was replaced")
	}
	if mustRead(t, filepath.Join(full, "x")) != "x" || mustRead(t, file) != "old" {
		t.Error("a file changed")
	}
	noTemps(t, dir)
	noTemps(t, empty)

	// An empty name is no file.
	t.Chdir(dir)
	checkPathError(t, WriteFile("", []byte("x"), 0o644, nil), "rename", "", fs.ErrNotExist, "")
	noTemps(t, dir)

	// A temporary-file prefix with a separator is refused.
	err := WriteFile(file, []byte("x"), 0o644, &WriteOptions{TempPrefix: "a/b"})
	checkPathError(t, err, "createtemp", file, nil, "")
	if mustRead(t, file) != "old" {
		t.Error("file changed")
	}
}

// Every step that fails leaves the old file and no temporary file.
func TestWriteFileFailingSteps(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	mustWrite(t, p, "old", 0o640)
	boom := errors.New("boom")
	for _, op := range []string{"write", "chown", "chmod", "sync", "close"} {
		testHookFail = func(o string) error {
			if o == op {
				return boom
			}
			return nil
		}
		// The owner asked is not the file's, so that a failed chown counts.
		opts := &WriteOptions{Chown: true, UID: os.Geteuid() + 1, GID: -1}
		if op != "chown" {
			opts.UID = -1
		}
		err := WriteFile(p, []byte("new"), 0o600, opts)
		testHookFail = nil
		checkPathError(t, err, op, p, boom, op+" "+p+": boom")
		if mustRead(t, p) != "old" || lmode(t, p) != 0o640 {
			t.Errorf("%s failed: the file changed", op)
		}
		noTemps(t, dir)
	}

	// BeforeRename puts a directory at the name: the rename fails.
	err := WriteFile(p+"2", []byte("new"), 0o600, &WriteOptions{BeforeRename: func() { os.Mkdir(p+"2", 0o755) }})
	checkPathError(t, err, "rename", p+"2", syscall.EISDIR, "")
	// BeforeRename creates the file: NoReplace fails and leaves it.
	err = WriteFile(p+"3", []byte("new"), 0o600, &WriteOptions{NoReplace: true,
		BeforeRename: func() { os.WriteFile(p+"3", []byte("theirs"), 0o644) }})
	checkPathError(t, err, "link", p+"3", fs.ErrExist, "")
	if mustRead(t, p+"3") != "theirs" {
		t.Error("NoReplace replaced a file created concurrently")
	}
	// BeforeRename panics.
	func() {
		defer func() { recover() }()
		WriteFile(p, []byte("new"), 0o600, &WriteOptions{BeforeRename: func() { panic("boom") }})
	}()
	if mustRead(t, p) != "old" {
		t.Error("file changed")
	}
	noTemps(t, dir)
}

// Where the system cannot rename without replacing, NoReplace links the
// file into place and removes the temporary name: the same outcomes.
func TestNoReplaceByLink(t *testing.T) {
	defer func(f func(string, string) error) { testableRenameNoReplace = f }(testableRenameNoReplace)
	testableRenameNoReplace = func(string, string) error { return syscall.ENOSYS }
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := WriteFile(p, []byte("one"), 0o600, &WriteOptions{NoReplace: true}); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(p, []byte("two"), 0o600, &WriteOptions{NoReplace: true})
	checkPathError(t, err, "link", p, fs.ErrExist, "")
	if err := os.Symlink("nowhere", p+"-dangling"); err != nil {
		t.Fatal(err)
	}
	err = WriteFile(p+"-dangling", []byte("x"), 0o600, &WriteOptions{NoReplace: true})
	checkPathError(t, err, "link", p+"-dangling", fs.ErrExist, "")
	if b, err := os.ReadFile(p); err != nil || string(b) != "one" {
		t.Errorf("%s: %q, %v; want \"one\"", p, b, err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Errorf("%d names in %s, want f and f-dangling (no temporary file)", len(ents), dir)
	}
}
