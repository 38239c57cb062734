package trust

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"
)

// socketMachine is a machine whose daemon socket directory is 0770 and
// belongs to the group nix-users, as Debian's nix-setup-systemd makes it,
// and whose state directory alice may not write: "auto" picks the daemon.
func socketMachine(t *testing.T) *machine {
	m := newMachine(t)
	m.write("/nix/var/nix/daemon-socket/socket", "")
	os.Chmod(m.path("/nix/var/nix/daemon-socket/socket"), 0o666)
	os.Chmod(m.path("/nix/var/nix/daemon-socket"), 0o770)
	os.Chmod(m.path("/nix/var/nix"), 0o755)
	// The directories belong to whoever runs the test: name their group
	// nix-users, and keep alice out of it.
	fi, err := os.Stat(m.path("/nix/var/nix/daemon-socket"))
	if err != nil {
		t.Fatal(err)
	}
	uid, gid, _ := ownerGroup(fi)
	if uid == m.user.UID || gid == m.user.GID || os.Geteuid() == m.user.UID {
		t.Skipf("the test runs as alice's uid or gid (%d, %d)", uid, gid)
	}
	m.write("/etc/group", fmt.Sprintf("nix-users:x:%d:bob\nroot:x:0:\nwheel:x:10:bob,alice\nusers:x:100:\n", gid))
	return m
}

// TestSocketDirectoryClosed: Nix's pathExists throws on EACCES, so a user
// kept out of the socket's directory cannot run any nix command: the
// report says so, with the group to join, and the problem is
// store-unusable (exit 69), not "local store, trusted".
func TestSocketDirectoryClosed(t *testing.T) {
	m := socketMachine(t)
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
	m.daemon(42, time.Now().Add(time.Hour), map[string]string{})
	r := m.check("", key1)
	s := r.Store
	if s.Mode != ModeDaemon || s.Socket != "/nix/var/nix/daemon-socket/socket" || r.Problem != ProblemStore {
		t.Fatalf("store %+v, problem %q", s, r.Problem)
	}
	if want := "nix cannot open the store: getting status of /nix/var/nix/daemon-socket/socket: permission denied"; s.Error != want {
		t.Errorf("error %q\nwant  %q", s.Error, want)
	}
	if s.Fix == nil || s.Fix.Command != "sudo usermod -aG nix-users alice" ||
		!strings.HasPrefix(s.Fix.Message, "add user alice to the group nix-users, which owns /nix/var/nix/daemon-socket (mode 0770") {
		t.Errorf("fix %+v", s.Fix)
	}
	var b strings.Builder
	r.WriteText(&b)
	if !strings.Contains(b.String(), "store: NOT usable by alice: nix cannot open the store") || !strings.Contains(b.String(), "$ sudo usermod -aG nix-users alice") {
		t.Errorf("text:\n%s", b.String())
	}
	// The verdict on the key is still given, for when alice gets in.
	want(t, r, Trusted, "listed")

	// Named explicitly, the daemon cannot be connected to either.
	r = m.check("daemon", key1)
	if r.Problem != ProblemStore || !strings.Contains(r.Store.Error, "cannot connect to the daemon socket /nix/var/nix/daemon-socket/socket: permission denied") {
		t.Errorf("%+v %q", r.Store, r.Problem)
	}

	// Once alice is in the group, all is well.
	m.write("/etc/group", strings.Replace(m.read("/etc/group"), ":bob\n", ":bob,alice\n", 1))
	r = m.check("", key1)
	if r.Store.Error != "" || r.Store.Mode != ModeDaemon || r.Problem != ProblemNone {
		t.Errorf("%+v %q", r.Store, r.Problem)
	}
	// An open directory without a socket: the local store, no error.
	os.Remove(m.path("/nix/var/nix/daemon-socket/socket"))
	os.Chmod(m.path("/nix/var/nix/daemon-socket"), 0o755)
	m.write("/etc/group", "root:x:0:\n")
	if r = m.check("", key1); r.Store.Error != "" || r.Store.Mode != ModeLocal {
		t.Errorf("%+v", r.Store)
	}
	// A closed one: Nix cannot tell, and fails.
	os.Chmod(m.path("/nix/var/nix/daemon-socket"), 0o770)
	if r = m.check("", key1); r.Problem != ProblemStore {
		t.Errorf("%+v", r.Store)
	}
}

// TestPathExists is Nix's pathExists: ENOENT and ENOTDIR are "absent",
// other errors are errors, as the user running the checker meets them.
func TestPathExists(t *testing.T) {
	m := newMachine(t)
	m.write("/a/file", "")
	c := newChecker(Options{Machine: Machine{Root: m.root}})
	for p, want := range map[string]bool{"/a/file": true, "/a/missing": false, "/a/file/below": false} {
		if got, err := c.pathExists(p); got != want || err != nil {
			t.Errorf("%s: %v, %v; want %v", p, got, err, want)
		}
	}
	if os.Geteuid() == 0 {
		t.Log("root: skipping the real EACCES case")
		return
	}
	os.Chmod(m.path("/a"), 0)
	defer os.Chmod(m.path("/a"), 0o755)
	if _, err := c.pathExists("/a/file"); !errors.Is(err, fs.ErrPermission) {
		t.Errorf("closed directory: %v", err)
	}
	if msg, fix := c.socketError("/a/file", true); !strings.Contains(msg, "permission denied") || fix == nil {
		t.Errorf("%q %+v", msg, fix)
	}
}
