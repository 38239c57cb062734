package fsutil

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// modeBits is the part of a mode that WriteFile sets, with the type.
const modeBits = fs.ModeType | fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky

func lmode(t *testing.T, p string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode() & modeBits
}

func mustWrite(t *testing.T, p, data string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// noTemps fails if dir holds a temporary file: a name starting with ".".
func noTemps(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}

// checkPathError checks that err is a *fs.PathError for op on name,
// matching target, with the message want (if not "").
func checkPathError(t *testing.T, err error, op, name string, target error, want string) {
	t.Helper()
	var pe *fs.PathError
	if !errors.As(err, &pe) || pe.Op != op || pe.Path != name {
		t.Fatalf("error %#v (%v), want a *fs.PathError for %s %s", err, err, op, name)
	}
	if target != nil && !errors.Is(err, target) {
		t.Errorf("error %v does not match %v", err, target)
	}
	if want != "" && err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

func withUmask(t *testing.T, mask int) {
	t.Helper()
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

func TestWriteFileModeExact(t *testing.T) {
	perms := []fs.FileMode{0o600, 0o644, 0o640, 0o755, 0o444, 0o000, 0o777, fs.ModeSetuid | 0o755, fs.ModeSetgid | 0o750}
	for _, mask := range []int{0, 0o022, 0o077, 0o777} {
		dir := t.TempDir() // before the umask, which could make it 0000
		withUmask(t, mask)
		for i, perm := range perms {
			// A new file, and one that had another mode.
			p := filepath.Join(dir, fmt.Sprint("new", i))
			if err := WriteFile(p, []byte("data"), perm, nil); err != nil {
				t.Fatalf("umask %04o, perm %v: %v", mask, perm, err)
			}
			old := filepath.Join(dir, fmt.Sprint("old", i))
			mustWrite(t, old, "old", 0o666)
			if err := WriteFile(old, []byte("data"), perm, nil); err != nil {
				t.Fatalf("umask %04o, perm %v: %v", mask, perm, err)
			}
			for _, p := range []string{p, old} {
				if m := lmode(t, p); m != perm {
					t.Errorf("umask %04o: %s has mode %v, want %v", mask, filepath.Base(p), m, perm)
				}
				if perm&0o400 != 0 || os.Geteuid() == 0 {
					if got := mustRead(t, p); got != "data" {
						t.Errorf("%s holds %q", p, got)
					}
				}
			}
		}
		noTemps(t, dir)
	}
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	mustWrite(t, p, "old", 0o644)
	hard := filepath.Join(dir, "hard")
	if err := os.Link(p, hard); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(p)
	if err := WriteFile(p, []byte("new"), 0o600, nil); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if got := mustRead(t, p); got != "new" || os.SameFile(before, after) {
		t.Errorf("replaced file holds %q, same file %v", got, os.SameFile(before, after))
	}
	if got := mustRead(t, hard); got != "old" {
		t.Errorf("another link to the old file holds %q, want the old content", got)
	}
	// Empty data makes an empty file.
	if err := WriteFile(p, nil, 0o600, nil); err != nil || mustRead(t, p) != "" {
		t.Errorf("empty: %v", err)
	}

	// A symbolic link at name is replaced; its target is not touched.
	target := filepath.Join(dir, "target")
	mustWrite(t, target, "target", 0o644)
	link := filepath.Join(dir, "link")
	if err := os.Symlink("target", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new"), 0o640, nil); err != nil {
		t.Fatal(err)
	}
	if lmode(t, link) != 0o640 || mustRead(t, link) != "new" || mustRead(t, target) != "target" {
		t.Errorf("link: mode %v, target %q", lmode(t, link), mustRead(t, target))
	}

	// A relative name is written in the current directory.
	t.Chdir(dir)
	if err := WriteFile("rel", []byte("rel"), 0o600, nil); err != nil || mustRead(t, filepath.Join(dir, "rel")) != "rel" {
		t.Errorf("relative name: %v", err)
	}
	noTemps(t, dir)
}

func TestWriteFileNoReplace(t *testing.T) {
	dir := t.TempDir()
	noReplace := &WriteOptions{NoReplace: true}
	p := filepath.Join(dir, "new")
	if err := WriteFile(p, []byte("secret"), 0o600, noReplace); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(p)
	if mustRead(t, p) != "secret" || lmode(t, p) != 0o600 || fi.Sys().(*syscall.Stat_t).Nlink != 1 {
		t.Errorf("new file: mode %v, links %d", lmode(t, p), fi.Sys().(*syscall.Stat_t).Nlink)
	}

	// Anything at the name is refused, and a link is not followed.
	file := filepath.Join(dir, "file")
	mustWrite(t, file, "old", 0o644)
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	fifo := filepath.Join(dir, "fifo")
	syscall.Mkfifo(fifo, 0o644)
	linkFile := filepath.Join(dir, "link-file")
	os.Symlink("file", linkFile)
	linkDir := filepath.Join(dir, "link-dir")
	os.Symlink("sub", linkDir)
	dangling := filepath.Join(dir, "dangling")
	os.Symlink("nowhere", dangling)
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	for _, name := range []string{file, sub, fifo, linkFile, linkDir, dangling, loop} {
		before, err := os.Lstat(name)
		if err != nil {
			t.Fatal(err)
		}
		beforeLink, _ := os.Readlink(name)
		err = WriteFile(name, []byte("new"), 0o600, noReplace)
		checkPathError(t, err, "link", name, fs.ErrExist, "link "+name+": file exists")
		after, err := os.Lstat(name)
		if err != nil || !os.SameFile(before, after) || after.Mode() != before.Mode() {
			t.Errorf("%s changed: %v", name, err)
		}
		if afterLink, _ := os.Readlink(name); afterLink != beforeLink {
			t.Errorf("%s now links to %q", name, afterLink)
		}
	}
	if mustRead(t, file) != "old" {
		t.Error("the file behind a link was written")
	}
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the target of a dangling link was created")
	}
	if _, err := os.Stat(filepath.Join(sub, "sub")); err == nil {
		t.Error("a file was created in the directory a link leads to")
	}
	noTemps(t, dir)
	noTemps(t, sub)
}

func TestWriteFileOwner(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	mustWrite(t, p, "old", 0o644)
	owner := func(p string) (int, int) {
		st := must(os.Stat(p)).Sys().(*syscall.Stat_t)
		return int(st.Uid), int(st.Gid)
	}
	uid, gid := owner(p)

	// Asking for the owner the file has works, even where chown fails.
	testHookFail = func(op string) error {
		if op == "chown" {
			return syscall.EPERM
		}
		return nil
	}
	err := WriteFile(p, []byte("new"), 0o644, &WriteOptions{Chown: true, UID: uid, GID: gid})
	testHookFail = nil
	if err != nil || mustRead(t, p) != "new" {
		t.Fatalf("chown failing to the same owner: %v", err)
	}
	if u, g := owner(p); u != uid || g != gid {
		t.Errorf("owner %d:%d, want %d:%d", u, g, uid, gid)
	}

	if os.Geteuid() != 0 {
		// An owner this user cannot give fails.
		err := WriteFile(p, []byte("newer"), 0o644, &WriteOptions{Chown: true, UID: 0, GID: 0})
		checkPathError(t, err, "chown", p, fs.ErrPermission, "chown "+p+": operation not permitted")
		if mustRead(t, p) != "new" {
			t.Error("file changed")
		}
		noTemps(t, dir)
		t.Skip("not root: cannot give files away")
	}
	// Root keeps another user's owner and group, and the setuid bit set
	// after the chown that would clear it.
	if err := os.Chown(p, 12345, 23456); err != nil {
		t.Fatal(err)
	}
	perm := fs.ModeSetuid | fs.ModeSetgid | 0o750
	if err := WriteFile(p, []byte("theirs"), perm, &WriteOptions{Chown: true, UID: 12345, GID: 23456}); err != nil {
		t.Fatal(err)
	}
	if u, g := owner(p); u != 12345 || g != 23456 || lmode(t, p) != perm {
		t.Errorf("owner %d:%d mode %v, want 12345:23456 %v", u, g, lmode(t, p), perm)
	}
	// -1 leaves one of them as the writer's.
	if err := WriteFile(p, []byte("x"), 0o644, &WriteOptions{Chown: true, UID: 12345, GID: -1}); err != nil {
		t.Fatal(err)
	}
	if u, g := owner(p); u != 12345 || g != os.Getegid() {
		t.Errorf("owner %d:%d, want 12345:%d", u, g, os.Getegid())
	}
	// Without Chown the writer owns the new file.
	if err := WriteFile(p, []byte("x"), 0o644, nil); err != nil {
		t.Fatal(err)
	}
	if u, g := owner(p); u != 0 || g != os.Getegid() {
		t.Errorf("owner %d:%d, want 0:%d", u, g, os.Getegid())
	}
	noTemps(t, dir)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Readers racing with writers see one whole version or another.
func TestWriteFileReadersSeeWholeFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	const size = 64 << 10
	mustWrite(t, p, strings.Repeat("a", size), 0o644)
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				data, err := os.ReadFile(p)
				if err != nil {
					t.Error(err)
					return
				}
				if len(data) != size || bytes.Count(data, data[:1]) != size {
					t.Errorf("a reader saw a partial file: %d bytes, starting %q", len(data), data[:min(len(data), 8)])
					return
				}
			}
		})
	}
	var writers sync.WaitGroup
	for w := range 4 {
		writers.Go(func() {
			for i := range 10 {
				data := bytes.Repeat([]byte{byte('b' + w*10 + i)}, size)
				if err := WriteFile(p, data, 0o644, nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	noTemps(t, filepath.Dir(p))
}

func ExampleWriteFile() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	key := filepath.Join(dir, "secret.key")

	err := WriteFile(key, []byte("host-1:..."), 0o600, &WriteOptions{NoReplace: true})
	fmt.Println(err)
	fi, _ := os.Stat(key)
	fmt.Println(fi.Mode())

	err = WriteFile(key, []byte("host-2:..."), 0o600, &WriteOptions{NoReplace: true})
	fmt.Println(errors.Is(err, fs.ErrExist), strings.Replace(err.Error(), dir, "DIR", 1))
	// Output:
	// <nil>
	// -rw-------
	// true link DIR/secret.key: file exists
}
