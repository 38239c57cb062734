package trust

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nixsign/nixsign/conf/nixconf"
)

func (m *machine) read(p string) string {
	m.t.Helper()
	data, err := os.ReadFile(m.path(p))
	if err != nil {
		m.t.Fatal(err)
	}
	return string(data)
}

func (m *machine) edit(store string) EditOptions {
	return EditOptions{Options: m.options(store)}
}

func TestAddKey(t *testing.T) {
	ctx := context.Background()
	m := newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	m.daemon(42, time.Now().Add(-time.Hour), map[string]string{})
	opts := m.edit("daemon")
	opts.DryRun = true
	ed, err := AddKey(ctx, opts, mustKey(t, key1))
	if err != nil {
		t.Fatal(err)
	}
	wantDiff := "--- /dev/null\n+++ /etc/nix/nix.conf\n@@ -0,0 +1 @@\n+extra-trusted-public-keys = " + key1 + "\n"
	if !ed.Changed || ed.Diff != wantDiff || ed.File != "/etc/nix/nix.conf" {
		t.Fatalf("%+v", ed)
	}
	if _, err := os.Stat(m.path("/etc/nix")); err == nil {
		t.Fatal("dry run created /etc/nix")
	}
	opts.DryRun = false
	if ed, err = AddKey(ctx, opts, mustKey(t, key1)); err != nil || !ed.Changed || ed.Diff != wantDiff || ed.Backup != "" {
		t.Fatalf("%v %+v", err, ed)
	}
	if got := m.read("/etc/nix/nix.conf"); got != "extra-trusted-public-keys = "+key1+"\n" {
		t.Fatalf("nix.conf: %q", got)
	}
	// Re-check: trusted, and the daemon must restart.
	want(t, m.check("daemon", key1), RestartNeeded, "listed", "daemon-stale")
	// Again: nothing to do.
	ed, err = AddKey(ctx, opts, mustKey(t, key1))
	if err != nil || ed.Changed || ed.Already != "/etc/nix/nix.conf:1" {
		t.Fatalf("%v %+v", err, ed)
	}
	// A second key goes on the same line, with a backup of the first
	// version.
	if ed, err = AddKey(ctx, opts, mustKey(t, key2)); err != nil || ed.Backup != "/etc/nix/nix.conf"+nixconf.BackupSuffix {
		t.Fatalf("%v %+v", err, ed)
	}
	if got := m.read("/etc/nix/nix.conf"); got != "extra-trusted-public-keys = "+key1+" "+key2+"\n" {
		t.Fatalf("nix.conf: %q", got)
	}
	// A different key of the same name.
	var ce *nixconf.KeyConflictError
	if _, err = AddKey(ctx, opts, mustKey(t, key1Other)); !errors.As(err, &ce) || ce.Line != 1 {
		t.Fatalf("conflict: %v", err)
	}
	if _, err = AddKey(ctx, opts, mustKey(t, "my key:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")); err == nil || !strings.Contains(err.Error(), "whitespace") {
		t.Fatalf("whitespace: %v", err)
	}
}

func TestAddKeyAlready(t *testing.T) {
	ctx := context.Background()
	// Trusted by a file the daemon reads besides nix.conf.
	m := newMachine(t)
	m.write("/root/.config/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
	ed, err := AddKey(ctx, m.edit("daemon"), mustKey(t, key1))
	if err != nil || ed.Changed || ed.Already != "/root/.config/nix/nix.conf:1" {
		t.Fatalf("%v %+v", err, ed)
	}
	// Listed in a non-canonical form (base64 without padding).
	m = newMachine(t)
	m.write("/etc/nix/nix.conf", "trusted-public-keys = "+strings.TrimSuffix(key1, "=")+"\n")
	opts := m.edit("daemon")
	opts.Conf = "/etc/nix/nix.conf"
	if ed, err = AddKey(ctx, opts, mustKey(t, key1)); err != nil || ed.Changed || ed.Already != "/etc/nix/nix.conf:1" {
		t.Fatalf("%v %+v", err, ed)
	}
	// Only the user's NIX_CONFIG trusts it: the system file is edited.
	m = newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	m.vars["NIX_CONFIG"] = "extra-trusted-public-keys = " + key1
	if ed, err = AddKey(ctx, m.edit("local"), mustKey(t, key1)); err != nil || !ed.Changed {
		t.Fatalf("%v %+v", err, ed)
	}
}

func TestAddKeyGenerated(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/NIXOS", "")
	m.write("/nix/store/aaaa-nix.conf", "")
	m.symlink("/etc/nix/nix.conf", "/nix/store/aaaa-nix.conf")
	_, err := AddKey(context.Background(), m.edit("daemon"), mustKey(t, key1))
	var ge *GeneratedError
	if !errors.As(err, &ge) || ge.Fix.Snippet != `nix.settings.trusted-public-keys = [ "`+key1+`" ];` || !strings.Contains(err.Error(), "nixos-rebuild switch") {
		t.Fatalf("%v", err)
	}
	if m.read("/nix/store/aaaa-nix.conf") != "" {
		t.Fatal("generated file edited")
	}
	_, err = RemoveKeys(context.Background(), m.edit("daemon"), "test-key-1")
	if !errors.As(err, &ge) {
		t.Fatalf("%v", err)
	}
	// A home-manager user file named with --conf.
	m = newMachine(t)
	m.write("/nix/store/bbbb-hm/nix.conf", "")
	m.symlink("/home/alice/.config/nix/nix.conf", "/nix/store/bbbb-hm/nix.conf")
	opts := m.edit("local")
	opts.Conf = "/home/alice/.config/nix/nix.conf"
	_, err = AddKey(context.Background(), opts, mustKey(t, key1))
	if !errors.As(err, &ge) || ge.Fix.File != "home.nix" {
		t.Fatalf("%v", err)
	}
}

func TestRemoveKeys(t *testing.T) {
	ctx := context.Background()
	m := newMachine(t)
	conf := "# keys\nextra-trusted-public-keys = " + key1 + " garbage\ntrusted-public-keys = " + nixosKey + " " + strings.TrimSuffix(key2, "=") + "\nextra-trusted-public-keys = " + key1Other + "\n"
	m.write("/etc/nix/nix.conf", conf)
	opts := m.edit("daemon")
	opts.DryRun = true
	ed, err := RemoveKeys(ctx, opts, "test-key-1")
	if err != nil || !ed.Changed || len(ed.Removed) != 2 || m.read("/etc/nix/nix.conf") != conf {
		t.Fatalf("%v %+v", err, ed)
	}
	opts.DryRun = false
	for _, tc := range []struct{ arg, removed string }{
		{key2, strings.TrimSuffix(key2, "=") + " (/etc/nix/nix.conf:3)"},
		{"garbage", "garbage (/etc/nix/nix.conf:2)"},
		{key1, key1 + " (/etc/nix/nix.conf:2)"},
		{"test-key-1", key1Other + " (/etc/nix/nix.conf:3)"},
	} {
		ed, err := RemoveKeys(ctx, opts, tc.arg)
		if err != nil || len(ed.Removed) != 1 || ed.Removed[0] != tc.removed {
			t.Fatalf("remove %s: %v %+v", tc.arg, err, ed)
		}
	}
	if got, want := m.read("/etc/nix/nix.conf"), "# keys\ntrusted-public-keys = "+nixosKey+"\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	ed, err = RemoveKeys(ctx, opts, "test-key-1")
	if err != nil || ed.Changed || len(ed.Removed) != 0 {
		t.Fatalf("%v %+v", err, ed)
	}
	// No file: nothing to do, nothing created.
	m = newMachine(t)
	if ed, err = RemoveKeys(ctx, m.edit("daemon"), "x"); err != nil || ed.Changed {
		t.Fatalf("%v %+v", err, ed)
	}
	if _, err := os.Stat(m.path("/etc/nix/nix.conf")); err == nil {
		t.Fatal("created nix.conf")
	}
}

func TestRestartDaemonUnknownServiceManager(t *testing.T) {
	m := newMachine(t)
	m.daemon(42, time.Now(), map[string]string{})
	err := RestartDaemon(context.Background(), m.options("daemon"))
	if err == nil || !strings.Contains(err.Error(), "not run by systemd or launchd") {
		t.Fatalf("%v", err)
	}
}

func TestRecheckStore(t *testing.T) {
	m := newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	os.MkdirAll(m.path("/nix/var/nix/daemon-socket"), 0o755)
	ed, err := AddKey(context.Background(), m.edit(""), mustKey(t, key1))
	if err != nil || ed.RecheckStore != "" {
		t.Fatalf("no socket: %v %+v", err, ed)
	}
	m.write("/nix/var/nix/daemon-socket/socket", "")
	ed, err = AddKey(context.Background(), m.edit(""), mustKey(t, key2))
	if err != nil || ed.RecheckStore != "daemon" {
		t.Fatalf("socket: %v %+v", err, ed)
	}
	m.vars["NIX_REMOTE"] = "local"
	ed, err = RemoveKeys(context.Background(), m.edit(""), "gbck-1")
	if err != nil || ed.RecheckStore != "" || !ed.Changed {
		t.Fatalf("explicit local store: %v %+v", err, ed)
	}
}
