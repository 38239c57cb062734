package nixconf

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// mountReadOnly bind-mounts dir over itself, read-only. The caller runs in
// a private mount namespace (Go makes the mounts private there), so the
// mount goes away with it.
func mountReadOnly(dir string) error {
	if err := syscall.Mount(dir, dir, "", syscall.MS_BIND, ""); err != nil {
		return err
	}
	return syscall.Mount("", dir, "", syscall.MS_REMOUNT|syscall.MS_BIND|syscall.MS_RDONLY, "")
}

// TestEditFileReadOnly edits a file in a read-only directory. Root ignores
// directory permissions, so as root the helper bind-mounts the directory
// read-only in a private mount namespace; otherwise the directory is made
// 0555.
func TestEditFileReadOnly(t *testing.T) {
	p := writeBase(t, 0o644)
	dir := filepath.Dir(p)
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o555)
		defer os.Chmod(dir, 0o755)
		_, err := EditFile(p, false, addKey(p, testKey1))
		var ee *EditError
		if !errors.As(err, &ee) || !errors.Is(err, fs.ErrPermission) {
			t.Fatalf("EditFile: %v, want a permission error", err)
		}
		t.Log(err)
	} else {
		cmd := helper(t, "ro", p, testKey1)
		cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 4 || err != nil && strings.Contains(err.Error(), "operation not permitted") {
			t.Skipf("no mount namespace here: %v %s", err, out)
		}
		if !errors.As(err, &ee) || ee.ExitCode() != 3 {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		t.Logf("%s", out)
	}
	if data, _ := os.ReadFile(p); string(data) != editBase {
		t.Fatalf("file changed:\n%s", data)
	}
}
