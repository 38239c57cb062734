package nixconf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A nix.conf, or an included file, that is a named pipe, a link to
// /dev/zero or larger than 1 MiB stops Load with an *Error naming it, at
// once: Nix 2.8.0 would block on the pipe forever, run out of memory on
// /dev/zero and read the large file (see Load). A directory is still
// skipped as Nix skips it, and /dev/null is an empty file.
func TestLoadUntrusted(t *testing.T) {
	for _, tt := range []struct {
		name string
		make func(t *testing.T, p string)
		want string // the error; "" for none
		skip string // File.Err of the skipped file, if it is skipped
	}{
		{"fifo", func(t *testing.T, p string) {
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "$F: is a named pipe (FIFO), not a regular file", ""},
		{"dev-zero", func(t *testing.T, p string) { symlink(t, "/dev/zero", p) },
			"$F: is a character device, not a regular file", ""},
		{"huge", func(t *testing.T, p string) {
			data := append(bytes.Repeat([]byte("#\n"), maxFileSize/2), "trusted-users = x\n"...)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}, "$F: is larger than 1 MiB", ""},
		{"dev-null", func(t *testing.T, p string) { symlink(t, "/dev/null", p) }, "", ""},
		{"directory", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "", "read $F: is a directory"},
	} {
		for _, included := range []bool{false, true} {
			work := t.TempDir()
			etc := filepath.Join(work, "etc")
			if err := os.Mkdir(etc, 0o755); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(etc, "nix.conf")
			if included {
				if err := os.WriteFile(file, []byte("!include other.conf\ntrusted-users = y\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				file = filepath.Join(etc, "other.conf")
			}
			tt.make(t, file)
			env := Env{Vars: map[string]string{"NIX_CONF_DIR": etc, "NIX_USER_CONF_FILES": ""}}
			done := make(chan struct{})
			var cfg *Config
			var err error
			go func() {
				defer close(done)
				cfg, err = Load(env)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("%s (included %v): Load blocked", tt.name, included)
			}
			if tt.want != "" {
				var ce *Error
				want := strings.ReplaceAll(tt.want, "$F", file)
				if !errors.As(err, &ce) || err.Error() != want || ce.Nix != "" {
					t.Errorf("%s (included %v): Load = %v, want *Error %q", tt.name, included, err, want)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s (included %v): Load: %v", tt.name, included, err)
				continue
			}
			var got *File
			for _, f := range cfg.Files() {
				if f.Path == file {
					got = f
				}
			}
			switch {
			case got == nil:
				t.Errorf("%s (included %v): %s not among the files", tt.name, included, file)
			case tt.skip == "" && got.Err != nil:
				t.Errorf("%s (included %v): File.Err = %v", tt.name, included, got.Err)
			case tt.skip != "" && (got.Err == nil || got.Err.Error() != strings.ReplaceAll(tt.skip, "$F", file)):
				t.Errorf("%s (included %v): File.Err = %v, want %q", tt.name, included, got.Err, tt.skip)
			}
		}
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}
