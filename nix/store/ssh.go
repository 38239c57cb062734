package store

// The ssh-ng store: the worker protocol over `ssh HOST nix-daemon --stdio`,
// run as Nix 2.8.0's SSHStore and SSHMaster run it (see sshspec.go).

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/nixsign/nixsign/nix/daemon"
)

// sshHandshakeTimeout bounds the connection and the handshake: ssh may
// have to resolve and reach the host, and ask for a passphrase on the
// terminal, before the remote daemon answers.
const sshHandshakeTimeout = 2 * time.Minute

// openSSH opens an ssh-ng store: see Open.
func openSSH(ctx context.Context, spec, dir string, opts *Options) (Store, error) {
	sp, err := parseSSHSpec(spec)
	if err != nil {
		return nil, err
	}
	name := sp.String()
	unavailable := func(format string, args ...any) error {
		return &UnavailableError{Store: "ssh-ng", Err: fmt.Errorf("cannot connect to %s: %s", name, fmt.Sprintf(format, args...))}
	}
	lookPath := opts.lookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	sshPath, err := lookPath("ssh")
	if err != nil {
		return nil, unavailable("ssh not found in PATH (ssh-ng needs OpenSSH's ssh client)")
	}
	var tmp, knownHosts string
	if len(sp.hostKey) > 0 {
		// ssh splits the option's value at white space.
		base := ""
		if strings.ContainsAny(os.TempDir(), " \t\n") {
			base = "/tmp"
		}
		if tmp, err = os.MkdirTemp(base, "nixsign-ssh-"); err != nil {
			return nil, unavailable("%v", err)
		}
		knownHosts = filepath.Join(tmp, "host-key")
		if err := os.WriteFile(knownHosts, []byte(sp.knownHostsLine()), 0o600); err != nil {
			os.RemoveAll(tmp)
			return nil, unavailable("%v", err)
		}
	}
	args := sp.args(opts.getenv("NIX_SSHOPTS"), knownHosts)
	cmd := exec.Command(sshPath, args...)
	cmd.Args[0] = "ssh"
	stderr := &lastLine{}
	cmd.Stderr = stderr
	shown := "ssh"
	for _, a := range args {
		shown += " " + shellQuote(a)
	}
	copts := clientOptions(dir, opts)
	copts.HandshakeTimeout = sshHandshakeTimeout
	c, err := daemon.StartCommand(ctx, cmd, copts)
	if err != nil {
		if tmp != "" {
			os.RemoveAll(tmp)
		}
		opts.explain("store: %s: %s: failed", name, shown)
		return nil, &UnavailableError{Store: "ssh-ng", Err: sshError(name, sp, cmd, stderr, err)}
	}
	v := c.ProtocolVersion()
	about := fmt.Sprintf("protocol %d.%d", v>>8, v&0xff)
	if nv := c.DaemonVersion(); nv != "" {
		about += ", Nix " + nv
	}
	if tmp != "" {
		// ssh reads the host key during its key exchange, before the
		// remote program runs, so the file is no longer needed.
		os.RemoveAll(tmp)
	}
	opts.explain("store: %s: %s (%s)", name, shown, about)
	s := newDaemonStore(name, c, dir)
	s.kind, s.remote = "ssh-ng", true
	s.diag = func() string {
		if l := stderr.String(); l != "" {
			return "ssh: " + l
		}
		return ""
	}
	return s, nil
}

// sshError explains why ssh did not give a daemon connection: cmd has been
// reaped when the handshake failed (daemon.StartCommand closes it), so its
// exit status says whether ssh itself failed (255: unreachable host,
// refused authentication...), the remote program was not found (127, from
// the remote shell) or the program failed.
func sshError(name string, sp *sshSpec, cmd *exec.Cmd, stderr *lastLine, err error) error {
	said := ""
	if l := stderr.String(); l != "" {
		said = ": " + l
	}
	ps := cmd.ProcessState
	switch {
	case ps == nil:
		return fmt.Errorf("cannot connect to %s: %v", name, err)
	case ps.ExitCode() == 255:
		return fmt.Errorf("cannot connect to %s: ssh failed (exit status 255)%s", name, said)
	case ps.ExitCode() == 127 || ps.ExitCode() == 126:
		return fmt.Errorf("cannot connect to %s: the remote program '%s' could not be run on %s (exit status %d)%s; set remote-program to its path",
			name, sp.program, sp.host, ps.ExitCode(), said)
	case ps.Exited() && ps.ExitCode() != 0:
		return fmt.Errorf("cannot connect to %s: '%s' exited with status %d before the handshake%s", name, sp.command(), ps.ExitCode(), said)
	}
	return fmt.Errorf("cannot connect to %s: %v%s", name, err, said)
}

// lastLine keeps the last non-empty line written to it (ssh's standard
// error), without carriage returns or surrounding spaces.
type lastLine struct {
	mu   sync.Mutex
	line string
	part []byte // the unfinished line
}

func (l *lastLine) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part = append(l.part, p...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		if s := strings.TrimSpace(string(l.part[:i])); s != "" {
			l.line = s
		}
		l.part = l.part[i+1:]
	}
	if len(l.part) > 4<<10 {
		l.part = l.part[len(l.part)-4<<10:]
	}
	return len(p), nil
}

// String returns the unfinished last line if there is one, else the last
// complete line.
func (l *lastLine) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := strings.TrimSpace(printable(string(l.part))); s != "" {
		return s
	}
	return printable(l.line)
}

// printable removes from s, which comes from the remote host, what a
// terminal would act on: ANSI escape sequences (ESC [ ... final byte, or
// ESC and one byte) and the other control characters.
func printable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b && i+1 < len(s) && s[i+1] == '[':
			i += 2
			for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
				i++
			}
		case c == 0x1b:
			i++
		case c < 0x20 || c == 0x7f:
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
