package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixsign/nixsign/nix/nar"
)

// fakeSSH writes an executable shell script for ssh and returns Options
// that run it, with NIX_SSHOPTS set to sshOpts.
func fakeSSH(t *testing.T, script, sshOpts string) *Options {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ssh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	return &Options{
		Timeout:  5 * time.Second,
		Getenv:   func(k string) string { return map[string]string{"NIX_SSHOPTS": sshOpts}[k] },
		lookPath: func(prog string) (string, error) { return p, nil },
	}
}

// Each way ssh fails is one clear *UnavailableError that quotes ssh.
func TestOpenSSHFailures(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	ctx := context.Background()
	for _, tt := range []struct {
		name, spec, script, want string
	}{
		{"refused", "ssh-ng://root@builder", `echo "$1: Permission denied (publickey)." >&2; exit 255`,
			"cannot connect to ssh-ng://root@builder: ssh failed (exit status 255): root@builder: Permission denied (publickey)."},
		{"unreachable", "ssh-ng://builder:2222", "printf 'ssh: connect to host builder port 2222: Connection refused\\r\\n' >&2; exit 255",
			"cannot connect to ssh-ng://builder:2222: ssh failed (exit status 255): ssh: connect to host builder port 2222: Connection refused"},
		{"silent", "ssh-ng://builder", "exit 255",
			"cannot connect to ssh-ng://builder: ssh failed (exit status 255)"},
		{"no remote program", "ssh-ng://builder?remote-program=/opt/nix/bin/nix-daemon", `echo "bash: line 1: /opt/nix/bin/nix-daemon: No such file or directory" >&2; exit 127`,
			"cannot connect to ssh-ng://builder: the remote program '/opt/nix/bin/nix-daemon' could not be run on builder (exit status 127): bash: line 1: /opt/nix/bin/nix-daemon: No such file or directory; set remote-program to its path"},
		{"program fails", "ssh-ng://builder?remote-store=/x", `echo "error: unrecognised flag '--store'" >&2; exit 1`,
			"cannot connect to ssh-ng://builder: 'nix-daemon --stdio --store '/x'' exited with status 1 before the handshake: error: unrecognised flag '--store'"},
		{"not a daemon", "ssh-ng://builder", `echo "Welcome to builder" >&2; echo "this is not the protocol"; exec cat >/dev/null`,
			"cannot connect to ssh-ng://builder: nix-daemon handshake: protocol error: not a Nix daemon (magic 0x2073692073696874, want 0x6478696f): Welcome to builder"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			opts := fakeSSH(t, tt.script, "")
			opts.Explain = func(l string) { lines = append(lines, l) }
			s, err := Open(ctx, tt.spec, opts)
			var ue *UnavailableError
			if s != nil || !errors.As(err, &ue) || ue.Store != "ssh-ng" || err.Error() != tt.want {
				t.Fatalf("Open = %v, %v\nwant %s", s, err, tt.want)
			}
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "store: ") || !strings.HasSuffix(lines[0], ": failed") {
				t.Errorf("explained %q", lines)
			}
		})
	}

	// NIX_REMOTE=ssh-ng://... makes auto use it, as Nix does.
	opts := fakeSSH(t, "exit 255", "")
	opts.Getenv = func(k string) string { return map[string]string{"NIX_REMOTE": "ssh-ng://root@builder"}[k] }
	var lines []string
	opts.Explain = func(l string) { lines = append(lines, l) }
	if _, err := Open(ctx, "auto", opts); err == nil || err.Error() != "cannot connect to ssh-ng://root@builder: ssh failed (exit status 255)" {
		t.Fatalf("NIX_REMOTE: %v", err)
	}
	if len(lines) == 0 || lines[0] != "store: NIX_REMOTE=ssh-ng://root@builder: using that remote store" {
		t.Errorf("NIX_REMOTE: explained %q", lines)
	}

	_, err := Open(ctx, "ssh-ng://builder", &Options{lookPath: func(string) (string, error) { return "", exec.ErrNotFound }})
	var ue *UnavailableError
	if !errors.As(err, &ue) || err.Error() != "cannot connect to ssh-ng://builder: ssh not found in PATH (ssh-ng needs OpenSSH's ssh client)" {
		t.Fatalf("no ssh: %v", err)
	}
}

// base64-ssh-public-host-key is written to a known-hosts file that ssh is
// pointed at, and removed afterwards.
func TestOpenSSHHostKey(t *testing.T) {
	rec := filepath.Join(t.TempDir(), "rec")
	script := fmt.Sprintf(`for a; do case $a in -oUserKnownHostsFile=*) f=${a#-oUserKnownHostsFile=}; echo "$f" > %[1]s; cat "$f" >> %[1]s;; esac; done; exit 255`, rec)
	key := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQ0 builder"
	for _, tt := range []struct{ spec, line string }{
		{"ssh-ng://root@builder?base64-ssh-public-host-key=", "builder " + key},
		{"ssh-ng://builder:2222?base64-ssh-public-host-key=", "builder,[builder]:2222 " + key},
		{"ssh-ng://builder:22?base64-ssh-public-host-key=", "builder " + key},
	} {
		opts := fakeSSH(t, script, "")
		spec := tt.spec + "c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSURRMCBidWlsZGVy"
		if _, err := Open(context.Background(), spec, opts); err == nil {
			t.Fatal("Open succeeded")
		}
		b, err := os.ReadFile(rec)
		if err != nil {
			t.Fatal(err)
		}
		file, content, _ := strings.Cut(string(b), "\n")
		if content != tt.line+"\n" {
			t.Errorf("%s: known hosts %q, want %q", spec, content, tt.line)
		}
		if _, err := os.Stat(filepath.Dir(file)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: %s left behind", spec, file)
		}
	}
}

// requireNix skips unless real Nix can serve the local store to this user
// through nix-daemon --stdio (root, as in CI).
func requireNix(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"nix", "nix-build", "nix-daemon", "nix-store"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not in PATH", bin)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, for nix-daemon --stdio to serve the local store")
	}
}

const nixConfig = "experimental-features = nix-command flakes\nsandbox = false\nsubstituters ="

// recordingSSH is a stand-in for ssh that writes its arguments, one per
// line, to rec and runs the remote command here.
const recordingSSH = `printf '%%s\n' "$@" > %s
for last; do :; done
eval "exec $last"
`

// Nix 2.8.0 runs exactly the ssh command that nixsign runs: each spec is
// given to `nix store ping` with a recording ssh first on PATH.
func TestSSHArgsMatchNix(t *testing.T) {
	requireNix(t)
	dir := t.TempDir()
	rec := filepath.Join(dir, "argv")
	if err := os.WriteFile(filepath.Join(dir, "ssh"), []byte("#!/bin/sh\n"+fmt.Sprintf(recordingSSH, rec)), 0o755); err != nil {
		t.Fatal(err)
	}
	const sshOpts = " -o ConnectTimeout=5\t-oBatchMode=yes "
	for _, spec := range []string{
		"ssh-ng://builder",
		"ssh-ng://alice@builder?ssh-key=/keys/id_builder&compress=true",
		"ssh-ng://builder?remote-program=nix-daemon&remote-store=auto&compress=false&ssh-key=",
		"ssh-ng://builder?base64-ssh-public-host-key=c3NoLWVkMjU1MTkgQUFBQQ==",
	} {
		os.Remove(rec)
		cmd := exec.Command("nix", "store", "ping", "--store", spec)
		cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "NIX_CONFIG="+nixConfig, "NIX_SSHOPTS="+sshOpts)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("nix store ping --store %s: %v\n%s", spec, err, out)
		}
		b, err := os.ReadFile(rec)
		if err != nil {
			t.Fatal(err)
		}
		nixArgs := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		sp, err := parseSSHSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		knownHosts := ""
		for _, a := range nixArgs {
			if f, ok := strings.CutPrefix(a, "-oUserKnownHostsFile="); ok {
				knownHosts = f // Nix's temporary file
			}
		}
		if got := sp.args(sshOpts, knownHosts); !slices.Equal(got, nixArgs) {
			t.Errorf("%s:\nnixsign %q\nNix     %q", spec, got, nixArgs)
		}
	}
}

// Through a recording ssh that runs the real nix-daemon --stdio: path
// info, signatures, and NARs that come over the connection (NarFromPath),
// byte for byte those of the path; a path that is not valid is refused
// without losing the connection.
func TestSSHStoreInterop(t *testing.T) {
	requireNix(t)
	ctx := context.Background()
	build := exec.Command("nix-build", "--no-out-link", "-E", fmt.Sprintf(
		`derivation { name = "nixsign-store-ssh-%d"; system = builtins.currentSystem; builder = "/bin/sh"; args = ["-c" "PATH=/usr/bin:/bin; mkdir -p $out/d && echo hi > $out/d/f && ln -s d/f $out/l"]; }`, time.Now().UnixNano()))
	build.Env = append(os.Environ(), "NIX_CONFIG="+nixConfig)
	out, err := build.Output()
	if err != nil {
		t.Fatalf("nix-build: %v", err)
	}
	path := strings.TrimSpace(string(out))

	rec := filepath.Join(t.TempDir(), "argv")
	opts := fakeSSH(t, fmt.Sprintf(recordingSSH, rec), "")
	var lines []string
	opts.Explain = func(l string) { lines = append(lines, l) }
	opts.StoreDir = "/nix/store"
	s, err := Open(ctx, "ssh-ng://builder", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.String() != "ssh-ng://builder" || len(lines) != 1 || !strings.HasPrefix(lines[0], "store: ssh-ng://builder: ssh builder -x -a 'nix-daemon --stdio' (protocol 1.") {
		t.Errorf("opened %s, explained %q", s, lines)
	}

	missing := "/nix/store/" + strings.Repeat("1", 32) + "-nixsign-not-there"
	var nv *NotValidError
	if err := s.NAR(ctx, missing, io.Discard); !errors.As(err, &nv) {
		t.Fatalf("NAR(missing): %v", err)
	}
	info, err := s.PathInfo(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var got, want bytes.Buffer
	if err := s.NAR(ctx, path, &got); err != nil {
		t.Fatal(err)
	}
	if _, err := nar.Dump(&want, path); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) || uint64(got.Len()) != info.NarSize {
		t.Fatalf("NAR: %d bytes, want %d (narSize %d)", got.Len(), want.Len(), info.NarSize)
	}
	res := Verify(ctx, s, []string{path, missing}, VerifyOptions{NoTrust: true})
	if res[0].Code() != 0 || res[1].Code() != ExitFailed {
		t.Fatalf("Verify: %+v", res)
	}
	signed, err := SignPaths(ctx, s, testKey(t, "secret.key"), []string{path})
	if err != nil || len(signed) != 1 {
		t.Fatalf("SignPaths: %v %v", signed, err)
	}
	info, err = s.PathInfo(ctx, path)
	if err != nil || !slices.Contains(info.Sigs, signed[0].Sig) {
		t.Fatalf("after signing: %v, %v", info, err)
	}
}

// What ssh relays from the remote host reaches messages without what a
// terminal would act on.
func TestLastLinePrintable(t *testing.T) {
	var l lastLine
	l.Write([]byte("banner\n\x1b[31mPermission\x1b[0m denied\x07 (publickey).\x1b]0;title\n"))
	if got, want := l.String(), "Permission denied (publickey).0;title"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
