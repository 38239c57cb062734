package floxconf

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A flox.toml that is a named pipe, a link to /dev/zero or too large is an
// error naming the file, at once, for SigningKey and for SetFile and
// UnsetFile, which leave it alone.
func TestUntrustedFile(t *testing.T) {
	root := t.TempDir()
	mk := map[string]func(p string) error{
		"fifo":     func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"dev-zero": func(p string) error { return os.Symlink("/dev/zero", p) },
		"huge": func(p string) error {
			return os.WriteFile(p, bytes.Repeat([]byte("# padding\n"), maxFileSize/10+1), 0o644)
		},
	}
	want := map[string]string{
		"fifo":     ": is a named pipe (FIFO), not a regular file",
		"dev-zero": ": is a character device, not a regular file",
		"huge":     ": is larger than 1 MiB",
	}
	for name, create := range mk {
		dir := filepath.Join(root, name)
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(dir, "flox.toml")
		if err := create(file); err != nil {
			t.Fatal(err)
		}
		// SetFile and UnsetFile follow the link to edit its target.
		target := file
		if name == "dev-zero" {
			target = "/dev/zero"
		}
		for op, f := range map[string]func() error{
			"SigningKey": func() error {
				_, _, _, err := SigningKey(Env{Vars: map[string]string{"FLOX_CONFIG_DIR": dir, "FLOX_SYSTEM_CONFIG_DIR": ""}})
				return err
			},
			"SetFile": func() error {
				_, err := SetFile(file, "/k.sec")
				return err
			},
			"UnsetFile": func() error {
				_, err := UnsetFile(file)
				return err
			},
		} {
			done := make(chan error, 1)
			go func() { done <- f() }()
			wantErr := "read " + target + want[name]
			if op == "SigningKey" {
				wantErr = "read " + file + want[name]
			}
			select {
			case err := <-done:
				if err == nil || err.Error() != wantErr {
					t.Errorf("%s %s: %v, want %q", name, op, err, wantErr)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s %s blocked", name, op)
			}
		}
		if fi, err := os.Lstat(file); err != nil || fi.Mode().IsRegular() != (name == "huge") {
			t.Errorf("%s: changed: %v, %v", name, fi, err)
		}
	}
}
