package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultSocketPath returns the socket that Nix 2.8.0 connects to and that
// nix-daemon listens on (globals.cc): $NIX_DAEMON_SOCKET_PATH, else
// $NIX_STATE_DIR/daemon-socket/socket, else
// /nix/var/nix/daemon-socket/socket. An empty variable counts as unset.
// getenv is usually os.Getenv.
func DefaultSocketPath(getenv func(string) string) string {
	if p := getenv("NIX_DAEMON_SOCKET_PATH"); p != "" {
		return filepath.Clean(p)
	}
	state := "/nix/var/nix"
	if s := getenv("NIX_STATE_DIR"); s != "" {
		state = s
	}
	return filepath.Join(state, "daemon-socket", "socket")
}

// StartStdio starts `nixDaemon --stdio` and speaks the protocol over its
// standard input and output. Run by the owner of the store with no daemon
// configured (NIX_REMOTE unset), it serves the local store directly. ctx
// bounds the start and the handshake only; Close ends the process.
func StartStdio(ctx context.Context, nixDaemon string, opts *Options) (*Client, error) {
	return StartCommand(ctx, exec.Command(nixDaemon, "--stdio"), opts)
}

// StartCommand is like StartStdio for any command that speaks the protocol on
// its standard input and output, such as `ssh host nix-daemon --stdio`. cmd
// must not have Stdin or Stdout set. Unless cmd.Stderr is set, the last lines
// the command writes to its standard error are kept and added to connection
// errors.
func StartCommand(ctx context.Context, cmd *exec.Cmd, opts *Options) (*Client, error) {
	if cmd.Stdin != nil || cmd.Stdout != nil {
		return nil, errors.New("nix-daemon: StartCommand: Stdin and Stdout must be unset")
	}
	// Pipes from os.Pipe support deadlines, which exec's StdinPipe does not.
	childIn, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("nix-daemon: %w", err)
	}
	r, childOut, err := os.Pipe()
	if err != nil {
		childIn.Close()
		w.Close()
		return nil, fmt.Errorf("nix-daemon: %w", err)
	}
	p := &pipeConn{r: r, w: w, cmd: cmd, exited: make(chan struct{})}
	cmd.Stdin, cmd.Stdout = childIn, childOut
	if cmd.Stderr == nil {
		p.stderr = &tailBuffer{max: 4 << 10}
		cmd.Stderr = p.stderr
	}
	if cmd.WaitDelay == 0 {
		cmd.WaitDelay = time.Second
	}
	err = cmd.Start()
	childIn.Close()
	childOut.Close()
	if err != nil {
		r.Close()
		w.Close()
		return nil, fmt.Errorf("nix-daemon: start: %w", err)
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.exited)
	}()
	return New(ctx, p, opts)
}

// pipeConn is the client's end of a child process's standard input and
// output.
type pipeConn struct {
	r, w    *os.File
	cmd     *exec.Cmd
	stderr  *tailBuffer
	exited  chan struct{} // closed once the process is reaped
	waitErr error
}

func (p *pipeConn) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *pipeConn) Write(b []byte) (int, error) { return p.w.Write(b) }

func (p *pipeConn) SetDeadline(t time.Time) error {
	if err := p.r.SetReadDeadline(t); err != nil {
		return err
	}
	return p.w.SetWriteDeadline(t)
}

// Close closes the pipes, which makes the daemon exit, and reaps it, killing
// it if it has not exited within two seconds.
func (p *pipeConn) Close() error {
	p.w.Close()
	p.r.Close()
	select {
	case <-p.exited:
	case <-time.After(2 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	return nil
}

// diagnostics describes how the process ended, if it has, and the last lines
// of its standard error.
func (p *pipeConn) diagnostics() string {
	var parts []string
	select {
	case <-p.exited:
		if p.waitErr != nil {
			parts = append(parts, fmt.Sprintf("%s: %v", filepath.Base(p.cmd.Path), p.waitErr))
		} else {
			parts = append(parts, filepath.Base(p.cmd.Path)+" exited")
		}
	case <-time.After(200 * time.Millisecond):
	}
	if p.stderr != nil {
		if s := p.stderr.lastLines(3); s != "" {
			parts = append(parts, "stderr: "+s)
		}
	}
	return strings.Join(parts, "; ")
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(b), nil
}

// lastLines returns up to n of the last non-empty lines, joined with " / ".
func (t *tailBuffer) lastLines(n int) string {
	t.mu.Lock()
	s := string(t.buf)
	t.mu.Unlock()
	var lines []string
	for _, l := range strings.Split(stripANSI(s), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " / ")
}
