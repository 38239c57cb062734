package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The helper process: when the test binary runs with FSUTIL_HELPER set,
// TestWriteFileHelper does one WriteFile of FILE and exits 0 if the error
// is the one expected, 1 if not, 2 if the setup failed.
//
//	ro FILE     bind-mount FILE's directory read-only (in a private mount
//	            namespace): fails with EROFS at createtemp
//	efbig FILE  limit the size of files written to 1000 bytes: fails with
//	            EFBIG at write
//	kill FILE   SIGKILL itself in BeforeRename
func TestWriteFileHelper(t *testing.T) {
	op, file, ok := strings.Cut(os.Getenv("FSUTIL_HELPER"), " ")
	if !ok {
		t.Skip("helper process only")
	}
	data := []byte(strings.Repeat("new\n", 1000))
	var opts WriteOptions
	var wantOp string
	var want error
	switch op {
	case "ro":
		dir := filepath.Dir(file)
		if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
			fmt.Fprintln(os.Stderr, "mount:", err)
			os.Exit(2)
		}
		if err := syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, ""); err != nil {
			fmt.Fprintln(os.Stderr, "mount:", err)
			os.Exit(2)
		}
		wantOp, want = "createtemp", syscall.EROFS
	case "efbig":
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 1000, Max: 1000}); err != nil {
			fmt.Fprintln(os.Stderr, "setrlimit:", err)
			os.Exit(2)
		}
		wantOp, want = "write", syscall.EFBIG
	case "kill":
		opts.BeforeRename = func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	}
	err := WriteFile(file, data, 0o640, &opts)
	fmt.Fprintln(os.Stderr, err)
	var pe *fs.PathError
	if errors.As(err, &pe) && pe.Op == wantOp && pe.Path == file && errors.Is(err, want) {
		os.Exit(0)
	}
	os.Exit(1)
}

func runHelper(t *testing.T, op, file string) (*exec.Cmd, []byte, error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileHelper$")
	cmd.Env = append(os.Environ(), "FSUTIL_HELPER="+op+" "+file)
	if op == "ro" {
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	}
	out, err := cmd.CombinedOutput()
	return cmd, out, err
}

// A read-only directory: the error names the file, and the old one stays.
// Root ignores permissions, so as root the directory is mounted read-only
// (in a helper process, in a mount namespace of its own); otherwise it is
// made 0555.
func TestWriteFileReadOnlyDir(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nix.conf")
	mustWrite(t, p, "old", 0o644)
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
		err := WriteFile(p, []byte("new"), 0o644, nil)
		checkPathError(t, err, "createtemp", p, fs.ErrPermission, "createtemp "+p+": permission denied")
	} else {
		_, out, err := runHelper(t, "ro", p)
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 2 || err != nil && strings.Contains(err.Error(), "operation not permitted") {
			t.Skipf("no mount namespace here: %v %s", err, out)
		}
		if err != nil {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		if want := "createtemp " + p + ": read-only file system\n"; string(out) != want {
			t.Errorf("helper said %q, want %q", out, want)
		}
	}
	if mustRead(t, p) != "old" {
		t.Error("file changed")
	}
	noTemps(t, dir)
}

// A write that fails for real (the file size limit) leaves the old file
// and no temporary file.
func TestWriteFileTooBig(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	mustWrite(t, p, "old", 0o644)
	if _, out, err := runHelper(t, "efbig", p); err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	} else if want := "write " + p + ": file too large\n"; string(out) != want {
		t.Errorf("helper said %q, want %q", out, want)
	}
	if mustRead(t, p) != "old" {
		t.Error("file changed")
	}
	noTemps(t, dir)
}

// A process killed just before the rename leaves the old file whole, and
// a complete temporary file with its final mode.
func TestWriteFileKilled(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	mustWrite(t, p, "old", 0o644)
	_, out, err := runHelper(t, "kill", p)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper: %v, want death by SIGKILL\n%s", err, out)
	}
	if mustRead(t, p) != "old" {
		t.Error("file changed")
	}
	temps, _ := filepath.Glob(filepath.Join(dir, ".f.tmp-*"))
	if len(temps) != 1 {
		t.Fatalf("temporary files %q, want one", temps)
	}
	if got := mustRead(t, temps[0]); got != strings.Repeat("new\n", 1000) || lmode(t, temps[0]) != 0o640 {
		t.Errorf("the temporary file is incomplete: %d bytes, mode %v", len(got), lmode(t, temps[0]))
	}
}
