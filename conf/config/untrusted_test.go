package config

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A config file that is a named pipe, /dev/zero or too large is an error
// naming the file, at once: Load neither blocks nor reads without end.
// /dev/null reads as an empty file, a way to turn a file off.
func TestLoadUntrusted(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	huge := filepath.Join(dir, "huge.toml")
	if err := os.WriteFile(huge, bytes.Repeat([]byte("# padding\n"), maxFileSize/10+1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"NIXSIGN_SYSTEM_CONFIG": "", "NIXSIGN_CONFIG": fifo},
			"NIXSIGN_CONFIG: read " + fifo + ": is a named pipe (FIFO), not a regular file"},
		{map[string]string{"NIXSIGN_SYSTEM_CONFIG": fifo, "NIXSIGN_CONFIG": ""},
			"read " + fifo + ": is a named pipe (FIFO), not a regular file"},
		{map[string]string{"NIXSIGN_SYSTEM_CONFIG": "/dev/zero", "NIXSIGN_CONFIG": ""},
			"read /dev/zero: is a character device, not a regular file"},
		{map[string]string{"NIXSIGN_SYSTEM_CONFIG": huge, "NIXSIGN_CONFIG": ""},
			"read " + huge + ": is larger than 1 MiB"},
		{map[string]string{"NIXSIGN_SYSTEM_CONFIG": "/dev/null", "NIXSIGN_CONFIG": "/dev/null"}, ""},
	} {
		done := make(chan error, 1)
		go func() {
			_, err := Load(Env{Vars: tt.vars, Home: dir})
			done <- err
		}()
		select {
		case err := <-done:
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || err.Error() != tt.want) {
				t.Errorf("Load(%v) = %v, want %q", tt.vars, err, tt.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("Load(%v) blocked", tt.vars)
		}
	}
}
