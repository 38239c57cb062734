//go:build unix

package secretkey

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode()
}

func TestWriteFile(t *testing.T) {
	// Whatever the umask, the modes are exact.
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	good := readVector(t, "secret.key")
	k := mustParse(t, good)
	dir := t.TempDir()
	p := filepath.Join(dir, "a", "b", "secret.key")
	if err := WriteFile(p, k.Encode(), false); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, p); m != 0o600 {
		t.Errorf("key file mode %v", m)
	}
	for _, d := range []string{filepath.Join(dir, "a"), filepath.Join(dir, "a", "b")} {
		if m := mode(t, d); m != fs.ModeDir|0o700 {
			t.Errorf("%s: mode %v", d, m)
		}
	}
	if k2, err := Load(p); err != nil || k2.Public() != k.Public() {
		t.Errorf("Load after WriteFile = %v, %v", k2, err)
	}

	// Never overwritten without force; the old file stays as it was.
	other, _ := Generate(nil, "other-1")
	err := WriteFile(p, other.Encode(), false)
	var fe *FileError
	if !errors.As(err, &fe) || fe.Kind != Exists || !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteFile over an existing file = %v", err)
	}
	assertNoSecret(t, "error", err.Error(), good, other.Encode())
	if data, _ := os.ReadFile(p); string(data) != string(good) {
		t.Error("the existing key was changed")
	}

	// With force it is replaced, atomically, with mode 0600.
	os.Chmod(p, 0o644)
	if err := WriteFile(p, other.Encode(), true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(p); string(data) != string(other.Encode()) || mode(t, p) != 0o600 {
		t.Errorf("forced write: %v", mode(t, p))
	}

	// A symbolic link is not followed: without force it counts as existing,
	// with force the link itself is replaced.
	target := filepath.Join(dir, "target")
	os.WriteFile(target, []byte("untouched"), 0o600)
	link := filepath.Join(dir, "link.key")
	os.Symlink(target, link)
	if err := WriteFile(link, good, false); !errors.As(err, &fe) || fe.Kind != Exists {
		t.Errorf("WriteFile over a symlink = %v", err)
	}
	if err := WriteFile(link, good, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(target); string(data) != "untouched" || mode(t, link) != 0o600 {
		t.Error("forced write followed the symlink")
	}

	// Public key files are 0644.
	pub := filepath.Join(dir, "public.key")
	if err := WritePublicFile(pub, []byte(k.Public().String()), false); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, pub); m != 0o644 {
		t.Errorf("public key mode %v", m)
	}

	// Failures.
	if err := WriteFile(filepath.Join(dir, "a"), good, true); !errors.As(err, &fe) || fe.Kind != Unwritable {
		t.Errorf("WriteFile over a directory = %v", err)
	}
	if err := WriteFile("", good, false); err == nil {
		t.Error(`WriteFile("") succeeded`)
	}
	if err := WriteFile(filepath.Join(p, "x"), good, false); !errors.As(err, &fe) || fe.Kind != Unwritable {
		t.Errorf("WriteFile under a file = %v", err)
	}

	// No temporary file is left behind.
	for _, d := range []string{dir, filepath.Join(dir, "a", "b")} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if e.Name()[0] == '.' {
				t.Errorf("left behind: %s", filepath.Join(d, e.Name()))
			}
		}
	}
}

// The messages of WriteFile's failures name the file and the step.
func TestWriteFileMessages(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	os.Mkdir(sub, 0o755)
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o600)
	for _, tt := range []struct {
		path  string
		force bool
		want  string
	}{
		{sub, true, sub + ": cannot replace it: is a directory; check the path and its directory"},
		{sub, false, sub + ": already exists; refusing to overwrite a key; remove it first or ask to replace it (--force)"},
		{filepath.Join(file, "k"), true, filepath.Join(file, "k") + ": cannot create its directory: not a directory; check the path and its directory"},
	} {
		err := WriteFile(tt.path, []byte("k"), tt.force)
		if err == nil || err.Error() != tt.want {
			t.Errorf("WriteFile(%s, force %v) = %v\nwant %s", tt.path, tt.force, err, tt.want)
		}
	}
}
