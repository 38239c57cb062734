//go:build unix

package nixconf

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// The helper process: when the test binary runs with NIXCONF_EDIT_HELPER
// set, TestEditHelper does one edit and exits.
//
//	add FILE KEY   AddTrustedKey under EditFile
//	kill FILE KEY  the same, but SIGKILL itself between writing and renaming
//	ro FILE KEY    bind-mount FILE's directory read-only (in a private mount
//	               namespace) and try the edit: exits 3 on the expected error
func TestEditHelper(t *testing.T) {
	args := strings.Fields(os.Getenv("NIXCONF_EDIT_HELPER"))
	if len(args) != 3 {
		t.Skip("helper process only")
	}
	op, file, key := args[0], args[1], args[2]
	switch op {
	case "kill":
		testHookBeforeRename = func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	case "ro":
		if err := mountReadOnly(filepath.Dir(file)); err != nil {
			fmt.Fprintln(os.Stderr, "mount:", err)
			os.Exit(4)
		}
	}
	_, err := EditFile(file, false, addKey(file, key))
	if op == "ro" {
		var ee *EditError
		if errors.As(err, &ee) && errors.Is(err, syscall.EROFS) && strings.Contains(err.Error(), "read-only") {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Fprintln(os.Stderr, "unexpected:", err)
		os.Exit(5)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func addKey(file, key string) func([]byte, bool) ([]byte, error) {
	return func(old []byte, _ bool) ([]byte, error) {
		ed, err := AddTrustedKey(file, old, key)
		if err != nil {
			return nil, err
		}
		return ed.Data, nil
	}
}

func helper(t *testing.T, op, file, key string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestEditHelper$")
	cmd.Env = append(os.Environ(), "NIXCONF_EDIT_HELPER="+op+" "+file+" "+key)
	return cmd
}

const editBase = "# managed by hand\nsandbox = false\n\nextra-trusted-public-keys = " + testKey2 + "  # CI\n!include local.conf\nkeep-outputs = true\n"

func writeBase(t *testing.T, mode fs.FileMode) string {
	t.Helper()
	dir := t.TempDir()
	p := filepath.Join(dir, "nix.conf")
	if err := os.WriteFile(p, []byte(editBase), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkEdited checks that the file has every line of editBase and each key
// exactly once.
func checkEdited(t *testing.T, p string, keys ...string) {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), editBase) {
		t.Fatalf("lines of the original lost:\n%s", data)
	}
	for _, k := range keys {
		if n := strings.Count(string(data), k); n != 1 {
			t.Fatalf("key %s listed %d times:\n%s", k, n, data)
		}
	}
	if _, err := Parse(p, data); err != nil {
		t.Fatal(err)
	}
}

func TestEditFileConcurrentGoroutines(t *testing.T) {
	p := writeBase(t, 0o644)
	var keys []string
	for i := range 50 {
		keys = append(keys, fmt.Sprintf("k%d:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=", i%25))
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	for _, k := range keys {
		wg.Go(func() {
			if _, err := EditFile(p, false, addKey(p, k)); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkEdited(t, p, keys[:25]...)
}

func TestEditFileConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	p := writeBase(t, 0o644)
	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	for range 50 {
		cmd := helper(t, "add", p, testKey1)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i])
		}
	}
	checkEdited(t, p, testKey1)
	data, _ := os.ReadFile(p)
	if want := editBase + "extra-trusted-public-keys = " + testKey1 + "\n"; string(data) != want {
		t.Errorf("got:\n%s\nwant:\n%s", data, want)
	}
}

// TestEditFileKilled kills the editing process between writing the new text
// and renaming it: the file must be the old text, whole; the next edit
// succeeds and cleans up.
func TestEditFileKilled(t *testing.T) {
	p := writeBase(t, 0o640)
	err := helper(t, "kill", p, testKey1).Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("helper: %v, want death by SIGKILL", err)
	}
	data, _ := os.ReadFile(p)
	if string(data) != editBase {
		t.Fatalf("after the kill the file is:\n%q", data)
	}
	temps, _ := filepath.Glob(filepath.Join(filepath.Dir(p), ".nix.conf.nixsign-*"))
	if len(temps) == 0 {
		t.Fatal("no temporary file left behind: the hook ran too late?")
	}
	if _, err := EditFile(p, false, addKey(p, testKey1)); err != nil {
		t.Fatal(err)
	}
	checkEdited(t, p, testKey1)
	temps, _ = filepath.Glob(filepath.Join(filepath.Dir(p), ".nix.conf.nixsign-*"))
	if len(temps) != 0 {
		t.Errorf("stale temporary files left: %q", temps)
	}
}

func TestEditFileKeepsModeAndBacksUp(t *testing.T) {
	p := writeBase(t, 0o640)
	fe, err := EditFile(p, false, addKey(p, testKey1))
	if err != nil {
		t.Fatal(err)
	}
	if !fe.Changed || !fe.Existed || fe.Backup != p+BackupSuffix || string(fe.Old) != editBase {
		t.Fatalf("%+v", fe)
	}
	for _, f := range []string{p, p + BackupSuffix} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o640 {
			t.Errorf("%s: mode %v, want 0640", f, fi.Mode())
		}
	}
	if b, _ := os.ReadFile(p + BackupSuffix); string(b) != editBase {
		t.Errorf("backup: %q", b)
	}
	// The same edit again changes nothing and writes nothing.
	before, _ := os.Stat(p)
	fe, err = EditFile(p, false, addKey(p, testKey1))
	if err != nil || fe.Changed {
		t.Fatalf("second edit: %v %+v", err, fe)
	}
	if after, _ := os.Stat(p); !os.SameFile(before, after) {
		t.Error("an edit that changes nothing replaced the file")
	}
}

func TestEditFileCreatesAndFollowsLinks(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "etc", "nix", "nix.conf")
	fe, err := EditFile(p, true, addKey(p, testKey1))
	if err != nil || !fe.Changed || fe.Existed {
		t.Fatalf("dry run: %v %+v", err, fe)
	}
	if _, err := os.Stat(filepath.Dir(p)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("a dry run created the directory")
	}
	if _, err := EditFile(p, false, addKey(p, testKey1)); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]fs.FileMode{p: 0o644, filepath.Dir(p): 0o755 | fs.ModeDir} {
		if fi, err := os.Stat(f); err != nil || fi.Mode() != want {
			t.Errorf("%s: %v %v, want %v", f, fi.Mode(), err, want)
		}
	}
	if _, err := os.Stat(p + BackupSuffix); err == nil {
		t.Error("backup of a file that did not exist")
	}
	// A link is followed: the target is replaced, the link stays.
	link := filepath.Join(dir, "link.conf")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	fe, err = EditFile(link, false, addKey(link, testKey2))
	if err != nil || fe.Path != p {
		t.Fatalf("%v %+v", err, fe)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatal("the link was replaced")
	}
	data, _ := os.ReadFile(p)
	if want := "extra-trusted-public-keys = " + testKey1 + " " + testKey2 + "\n"; string(data) != want {
		t.Errorf("got %q, want %q", data, want)
	}
}

func TestEditFileEditError(t *testing.T) {
	p := writeBase(t, 0o644)
	boom := errors.New("boom")
	if _, err := EditFile(p, false, func([]byte, bool) ([]byte, error) { return nil, boom }); err != boom {
		t.Fatalf("got %v", err)
	}
	if data, _ := os.ReadFile(p); string(data) != editBase {
		t.Fatal("file changed")
	}
}

// As root, an edit keeps the owner and group of the file, on the file and
// on its backup.
func TestEditFileKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: cannot give files away")
	}
	p := writeBase(t, 0o640)
	if err := os.Chown(p, 12345, 23456); err != nil {
		t.Fatal(err)
	}
	if _, err := EditFile(p, false, addKey(p, testKey1)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{p, p + BackupSuffix} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Uid != 12345 || st.Gid != 23456 || fi.Mode() != 0o640 {
			t.Errorf("%s: %d:%d %v, want 12345:23456 -rw-r-----", f, st.Uid, st.Gid, fi.Mode())
		}
	}
	checkEdited(t, p, testKey1)
}
