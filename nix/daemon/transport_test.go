package daemon

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHelperDaemon is not a test: run by fakeCommand as a child process, it
// plays a daemon on its standard input and output.
func TestHelperDaemon(t *testing.T) {
	mode := os.Getenv("NIXSIGN_FAKE_DAEMON")
	if mode == "" {
		t.Skip("helper process")
	}
	conn := struct {
		io.Reader
		io.Writer
	}{os.Stdin, os.Stdout}
	f := &fake{t: t, conn: conn, minor: 34}
	if !f.handshake(nil) || !f.expect(wb{}.u64(1).str(testPath)) {
		os.Exit(2)
	}
	switch mode {
	case "ok":
		f.send(wb{}.last().u64(1))
		io.Copy(io.Discard, os.Stdin) // until the client closes
		os.Exit(0)
	case "stuck":
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	case "crash":
		fmt.Fprintln(os.Stderr, "some noise")
		fmt.Fprintln(os.Stderr, "\x1b[31;1merror:\x1b[0m boom")
		os.Exit(3)
	}
}

func fakeCommand(mode string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperDaemon$")
	// Under -race, a process sleeps a second before it exits unless told not to.
	cmd.Env = append(os.Environ(), "NIXSIGN_FAKE_DAEMON="+mode, "GORACE=atexit_sleep_ms=0")
	return cmd
}

func TestStartCommand(t *testing.T) {
	c, err := StartCommand(ctx, fakeCommand("ok"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
	start := time.Now()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("Close took %v", d)
	}
}

// The pipes of a child process honour the time limit.
func TestStartCommandStuck(t *testing.T) {
	c, err := StartCommand(ctx, fakeCommand("stuck"), &Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.IsValidPath(ctx, testPath)
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "no reply within 50ms") {
		t.Fatalf("IsValidPath: %v", err)
	}
}

// When the daemon dies mid-operation, the error says how, with its last
// words on standard error.
func TestStartCommandCrash(t *testing.T) {
	c, err := StartCommand(ctx, fakeCommand("crash"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.IsValidPath(ctx, testPath)
	want := "nix-daemon IsValidPath: connection closed by the daemon (" + filepath.Base(os.Args[0]) +
		": exit status 3; stderr: some noise / error: boom): unexpected EOF"
	if err == nil || err.Error() != want {
		t.Fatalf("IsValidPath: %v\nwant %s", err, want)
	}
}

func TestStartCommandMissingBinary(t *testing.T) {
	_, err := StartStdio(ctx, "/nonexistent/nix-daemon", nil)
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("StartStdio: %v", err)
	}
	cmd := exec.Command("true")
	cmd.Stdout = io.Discard
	if _, err := StartCommand(ctx, cmd, nil); err == nil {
		t.Fatal("StartCommand accepted a command with Stdout set")
	}
}

func TestDefaultSocketPath(t *testing.T) {
	env := func(m map[string]string) func(string) string {
		return func(k string) string { return m[k] }
	}
	for _, tt := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "/nix/var/nix/daemon-socket/socket"},
		{map[string]string{"NIX_STATE_DIR": "/var/nix/"}, "/var/nix/daemon-socket/socket"},
		{map[string]string{"NIX_DAEMON_SOCKET_PATH": "/run/nix//sock", "NIX_STATE_DIR": "/x"}, "/run/nix/sock"},
		{map[string]string{"NIX_DAEMON_SOCKET_PATH": ""}, "/nix/var/nix/daemon-socket/socket"},
	} {
		if got := DefaultSocketPath(env(tt.env)); got != tt.want {
			t.Errorf("%v: got %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestDialMissingSocket(t *testing.T) {
	_, err := Dial(ctx, t.TempDir()+"/socket", nil)
	if err == nil || !strings.Contains(err.Error(), "no such file or directory") {
		t.Fatalf("Dial: %v", err)
	}
}
