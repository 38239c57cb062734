package trust

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestLocalStore(t *testing.T) {
	t.Run("system file", func(t *testing.T) {
		m := newMachine(t)
		m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		r := m.check("local", key1)
		k := want(t, r, Trusted, "listed")
		if k.Reasons[0].Origin != "/etc/nix/nix.conf:1" || !k.Accepted || r.Problem != ProblemNone {
			t.Errorf("%+v, problem %q", k, r.Problem)
		}
		if r.Daemon != nil {
			t.Error("daemon info for a local store")
		}
	})
	t.Run("user file counts", func(t *testing.T) {
		m := newMachine(t)
		m.write("/home/alice/.config/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		k := want(t, m.check("local", key1), Trusted, "listed")
		if k.Reasons[0].Origin != "/home/alice/.config/nix/nix.conf:1" {
			t.Errorf("origin %q", k.Reasons[0].Origin)
		}
	})
	t.Run("NIX_CONFIG counts", func(t *testing.T) {
		m := newMachine(t)
		m.vars["NIX_CONFIG"] = "sandbox = false\nextra-trusted-public-keys = " + key1
		want(t, m.check("/tmp/fresh-store", key1), Trusted, "listed")
	})
	t.Run("absent: a user fixes their own file", func(t *testing.T) {
		m := newMachine(t)
		r := m.check("local", key1)
		k := want(t, r, NotTrusted, "not-listed")
		wantFix(t, k, "$ nixsign trust add --conf /home/alice/.config/nix/nix.conf "+key1)
		if r.Problem != ProblemNotTrusted {
			t.Errorf("problem %q", r.Problem)
		}
	})
	t.Run("absent: root fixes the system file", func(t *testing.T) {
		m := newMachine(t)
		m.user = User{Name: "root", Group: "root"}
		m.vars["NIX_CONF_DIR"] = "/opt/nix/etc"
		k := want(t, m.check("local", key1), NotTrusted, "not-listed")
		wantFix(t, k, "$ nixsign trust add --conf /opt/nix/etc/nix.conf "+key1)
		if strings.Contains(fixText(k), "sudo") || strings.Contains(fixText(k), "restart") {
			t.Errorf("fixes:\n%s", fixText(k))
		}
	})
}

func TestDaemonStore(t *testing.T) {
	start := time.Now().Add(time.Hour) // started after every file was written
	t.Run("system file", func(t *testing.T) {
		m := newMachine(t)
		m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		m.daemon(42, start, map[string]string{})
		r := m.check("daemon", key1)
		want(t, r, Trusted, "listed")
		if r.Config.From != "daemon" || r.User.Trusted || r.Daemon.ConfFile != "/etc/nix/nix.conf" || len(r.Daemon.Processes) != 1 {
			t.Errorf("%+v %+v %+v", r.Config, r.User, r.Daemon)
		}
	})
	t.Run("user file ignored for an untrusted user", func(t *testing.T) {
		m := newMachine(t)
		m.write("/home/alice/.config/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		m.daemon(42, start, map[string]string{})
		r := m.check("daemon", key1)
		k := want(t, r, UserOnly, "user-only", "user-untrusted")
		wantFix(t, k, "$ sudo nixsign trust add "+key1, "restart nix-daemon (pid 42)", "trusted user")
		if r.Problem != ProblemUserOnly {
			t.Errorf("problem %q", r.Problem)
		}
	})
	t.Run("NIX_CONFIG ignored for an untrusted user", func(t *testing.T) {
		m := newMachine(t)
		m.vars["NIX_CONFIG"] = "extra-trusted-public-keys = " + key1
		k := want(t, m.check("daemon", key1), UserOnly, "user-only")
		if !strings.Contains(k.Reasons[1].Message, "NIX_CONFIG") {
			t.Errorf("reason %q", k.Reasons[1].Message)
		}
	})
	for _, tu := range []string{"alice", "@users", "@wheel", "*"} {
		t.Run("user file counts for trusted-users = "+tu, func(t *testing.T) {
			m := newMachine(t)
			m.write("/etc/nix/nix.conf", "trusted-users = root "+tu+"\n")
			m.write("/home/alice/.config/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
			r := m.check("daemon", key1)
			want(t, r, Trusted, "listed", "user-trusted")
			if !r.User.Trusted || r.User.TrustedBy != tu || r.Config.From != "client" {
				t.Errorf("%+v %+v", r.User, r.Config)
			}
		})
	}
	t.Run("a trusted user's list replaces the daemon's", func(t *testing.T) {
		// Observed with 2.8.0: a trusted client that sets
		// trusted-public-keys makes the daemon refuse a key its own
		// nix.conf trusts.
		m := newMachine(t)
		m.write("/etc/nix/nix.conf", "trusted-users = alice\nextra-trusted-public-keys = "+key1+"\n")
		m.vars["NIX_CONFIG"] = "trusted-public-keys = " + key2
		want(t, m.check("daemon", key1), NotTrusted, "not-listed")
	})
	t.Run("a trusted user's require-sigs does not reach the daemon", func(t *testing.T) {
		m := newMachine(t)
		m.write("/etc/nix/nix.conf", "trusted-users = alice\n")
		m.vars["NIX_CONFIG"] = "require-sigs = false"
		want(t, m.check("daemon", key1), NotTrusted, "not-listed")
		want(t, m.check("local", key1), AcceptsAll, "require-sigs-off")
	})
	t.Run("the daemon reads its own user's files", func(t *testing.T) {
		m := newMachine(t)
		m.write("/root/.config/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		want(t, m.check("daemon", key1), Trusted, "listed")
		m = newMachine(t)
		m.write("/etc/xdg/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		r := m.check("daemon", key1)
		want(t, r, Trusted, "listed")
		if got := r.Keys[0].Reasons[0].Origin; got != "/etc/xdg/nix/nix.conf:1" {
			t.Errorf("origin %q", got)
		}
	})
	t.Run("the daemon's own environment", func(t *testing.T) {
		m := newMachine(t)
		m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		m.write("/srv/nix/nix.conf", "extra-trusted-public-keys = "+key2+"\n")
		m.daemon(42, start, map[string]string{"NIX_CONF_DIR": "/srv/nix", "HOME": "/var/empty"})
		r := m.check("daemon", key1, key2)
		// key1 is in a nix.conf only the user reads.
		if r.Keys[0].Verdict != UserOnly || r.Keys[1].Verdict != Trusted || r.Daemon.ConfFile != "/srv/nix/nix.conf" || !r.Daemon.EnvKnown {
			t.Errorf("verdicts %s %s, %+v", r.Keys[0].Verdict, r.Keys[1].Verdict, r.Daemon)
		}
		wantFix(t, r.Keys[0], "$ sudo nixsign trust add --conf /srv/nix/nix.conf "+key1)
		m.vars["NIX_CONFIG"] = "extra-trusted-public-keys = " + key1
		m.daemon(43, start.Add(time.Second), map[string]string{"NIX_CONFIG": "extra-trusted-public-keys = " + key1, "NIX_DAEMON_SOCKET_PATH": "/other"})
		if r := m.check("daemon", key1); r.Keys[0].Verdict != UserOnly {
			t.Errorf("the NIX_CONFIG of a daemon on another socket counted: %s", r.Keys[0].Verdict)
		}
		m.procs[1].Env["NIX_DAEMON_SOCKET_PATH"] = "/nix/var/nix/daemon-socket/socket"
		if r := m.check("daemon", key1); r.Keys[0].Verdict != Trusted || r.Daemon.Processes[0].PID != 43 {
			t.Errorf("the daemon's NIX_CONFIG did not count: %s %+v", r.Keys[0].Verdict, r.Daemon.Processes)
		}
	})
	t.Run("unix socket of the store", func(t *testing.T) {
		m := newMachine(t)
		m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
		m.daemon(42, start, map[string]string{"NIX_DAEMON_SOCKET_PATH": "/run/a.sock", "NIX_CONF_DIR": "/srv/a"})
		m.daemon(43, start, map[string]string{"NIX_DAEMON_SOCKET_PATH": "/run/b.sock"})
		if r := m.check("unix:///run/b.sock", key1); r.Keys[0].Verdict != Trusted || r.Daemon.Processes[0].PID != 43 {
			t.Errorf("%s %+v", r.Keys[0].Verdict, r.Daemon.Processes)
		}
		if r := m.check("unix:///run/a.sock", key1); r.Keys[0].Verdict != UserOnly {
			t.Errorf("%s", r.Keys[0].Verdict)
		}
		opts := m.options("daemon")
		opts.DaemonPID = 42
		if r := m.checkOpts(opts, key1); r.Keys[0].Verdict != UserOnly || r.Daemon.Processes[0].PID != 42 {
			t.Errorf("--daemon-pid: %s %+v", r.Keys[0].Verdict, r.Daemon.Processes)
		}
		opts.DaemonPID = 44
		if _, err := Check(context.Background(), opts); err == nil {
			t.Error("no error for a missing --daemon-pid")
		}
	})
	t.Run("per-connection children are not daemons", func(t *testing.T) {
		m := newMachine(t)
		m.daemon(42, start, nil)
		m.procs = append(m.procs, Process{PID: 50, PPID: 42, Name: "nix-daemon", Args: []string{"nix-daemon", "1234"}, Start: start.Add(time.Hour)})
		m.procs = append(m.procs, Process{PID: 51, PPID: 1, Name: "nix-daemon", Args: []string{"nix-daemon", "--stdio"}, Start: start})
		m.procs = append(m.procs, Process{PID: 52, PPID: 1, Name: "nix", Args: []string{"nix", "build"}, Start: start})
		r := m.check("daemon")
		if len(r.Daemon.Processes) != 1 || r.Daemon.Processes[0].PID != 42 || r.Daemon.EnvKnown {
			t.Errorf("%+v", r.Daemon)
		}
	})
}

func TestShadowed(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1Other+"\n\nextra-trusted-public-keys = "+key1+"\n")
	r := m.check("local", key1)
	k := want(t, r, Shadowed, "shadowed", "shadowed-later")
	if k.Reasons[0].Origin != "/etc/nix/nix.conf:1" || k.Reasons[1].Origin != "/etc/nix/nix.conf:3" || r.Problem != ProblemShadowed {
		t.Errorf("%+v", k.Reasons)
	}
	// Removing it from the system file needs root; the key is listed
	// later, so there is nothing to add.
	if got := fixText(k); !strings.Contains(got, "$ sudo nixsign trust remove "+key1Other) || strings.Contains(got, "trust add") {
		t.Errorf("fixes:\n%s", got)
	}
	m.user = User{Name: "root", Group: "root"}
	wantFix(t, want(t, m.check("local", key1), Shadowed), "\n    $ nixsign trust remove "+key1Other)
	// In the user's own file, no root needed; then the key must be added.
	m.user = User{Name: "alice", Group: "users", UID: 1000}
	m.write("/etc/nix/nix.conf", "")
	m.write("/home/alice/.config/nix/nix.conf", "extra-trusted-public-keys = "+key1Other+"\n")
	k = want(t, m.check("local", key1), Shadowed)
	wantFix(t, k, "$ nixsign trust remove --conf /home/alice/.config/nix/nix.conf "+key1Other, "$ nixsign trust add --conf /home/alice/.config/nix/nix.conf "+key1)
	// By the compiled-in default: only another name helps.
	k = want(t, m.check("local", "cache.nixos.org-1:vjwJQPJcQdsdSxtngRhcgA2yPKaHo1xPGQ99uHi2BOA="), Shadowed)
	wantFix(t, k, "another name")
}

func TestRestartNeeded(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/nix/nix.conf", "include extra.conf\n")
	m.write("/etc/nix/extra.conf", "extra-trusted-public-keys = "+key1+"\n")
	t0 := time.Now().Add(-time.Hour)
	m.touch("/etc/nix/nix.conf", t0.Add(-time.Minute))
	m.touch("/etc/nix/extra.conf", t0.Add(time.Minute)) // after the start
	m.daemon(42, t0, map[string]string{})
	r := m.check("daemon", key1)
	k := want(t, r, RestartNeeded, "listed", "daemon-stale")
	if k.Reasons[1].Origin != "/etc/nix/extra.conf" || !r.Daemon.Stale || r.Problem != ProblemRestart || r.RestartFix == nil {
		t.Errorf("%+v %+v", k.Reasons, r.Daemon)
	}
	wantFix(t, k, "restart nix-daemon (pid 42)")
	// With systemd, and as root.
	m.write("/run/systemd/system/.keep", "")
	m.user = User{Name: "root", Group: "root"}
	k = want(t, m.check("daemon", key1), RestartNeeded)
	wantFix(t, k, "$ systemctl restart nix-daemon")
	// Within the margin of the start time: no restart.
	m.touch("/etc/nix/extra.conf", t0.Add(staleMargin/2))
	want(t, m.check("daemon", key1), Trusted)
	// A link changed later than the file it points to (NixOS switches
	// configurations by replacing links to store files of mtime 1).
	m.write("/nix/store/aaaa-nix.conf", "extra-trusted-public-keys = "+key1+"\n")
	m.touch("/nix/store/aaaa-nix.conf", time.Unix(1, 0))
	m.write("/etc/nix/extra.conf", "include /etc/static/extra.conf\n")
	m.touch("/etc/nix/extra.conf", t0.Add(-time.Minute))
	m.symlink("/etc/static", "/nix/store/bbbb-etc")
	m.symlink("/nix/store/bbbb-etc/extra.conf", "/nix/store/aaaa-nix.conf")
	want(t, m.check("daemon", key1), RestartNeeded, "daemon-stale")
	// No restart is needed when no daemon runs; the key is not listed.
	m.procs = nil
	r = m.check("daemon", key1, key2)
	if r.Keys[0].Verdict != Trusted || r.Keys[1].Verdict != NotTrusted || strings.Contains(fixText(r.Keys[1]), "restart") {
		t.Errorf("%s %s\n%s", r.Keys[0].Verdict, r.Keys[1].Verdict, fixText(r.Keys[1]))
	}
	// Without keys the report still says a restart is needed.
	m.daemon(42, t0, map[string]string{})
	if r := m.check("daemon"); r.Problem != ProblemRestart {
		t.Errorf("problem %q", r.Problem)
	}
}

func TestRequireSigsOff(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/nix/nix.conf", "require-sigs = false\n")
	r := m.check("local", key1)
	k := want(t, r, AcceptsAll, "not-listed", "require-sigs-off")
	if !k.Accepted || r.Problem != ProblemNone || len(r.Warnings) == 0 || r.Config.RequireSigs {
		t.Errorf("%+v %q %q", k, r.Problem, r.Warnings)
	}
	m.write("/etc/nix/nix.conf", "require-sigs = false\nextra-trusted-public-keys = "+key1+"\n")
	want(t, m.check("local", key1), Trusted, "listed", "require-sigs-off")
}

func TestMalformedEntry(t *testing.T) {
	// Observed with 2.8.0: "secret key is corrupt" / "public key is not
	// valid" for every copy, even of paths signed by a listed key.
	m := newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+" garbage foo:AAAA\n")
	r := m.check("local", key1)
	k := want(t, r, BadConfig, "listed", "malformed")
	wantFix(t, k, "$ nixsign trust remove garbage", "$ nixsign trust remove foo:AAAA")
	if r.Problem != ProblemConfig || k.Accepted {
		t.Errorf("problem %q, accepted %v", r.Problem, k.Accepted)
	}
}

func TestKeyNameWithWhitespace(t *testing.T) {
	m := newMachine(t)
	k, err := Check(context.Background(), m.options("local"), mustKey(t, "my key:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="))
	if err != nil {
		t.Fatal(err)
	}
	kr := want(t, k, NotTrusted, "name-whitespace")
	wantFix(t, kr, "nixsign key generate")
}

func TestNixOS(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/NIXOS", "")
	m.write("/run/systemd/system/.keep", "")
	m.write("/nix/store/aaaa-nix.conf", "trusted-public-keys = "+nixosKey+"\ntrusted-users = root\n")
	m.symlink("/etc/static", "/nix/store/bbbb-etc/etc")
	m.symlink("/nix/store/bbbb-etc/etc/nix/nix.conf", "/nix/store/aaaa-nix.conf")
	m.symlink("/etc/nix/nix.conf", "/etc/static/nix/nix.conf")
	m.daemon(42, time.Now().Add(time.Hour), nil)
	r := m.check("daemon", key1)
	k := want(t, r, NotTrusted, "not-listed")
	if !r.Platform.Generated || r.Platform.Kind != "nixos" || r.Platform.GeneratedBy != "/etc/nix/nix.conf -> /etc/static/nix/nix.conf" {
		t.Errorf("%+v", r.Platform)
	}
	wantFix(t, k, `nix.settings.trusted-public-keys = [ "`+key1+`" ];`, "sudo nixos-rebuild switch")
	if strings.Contains(fixText(k), "systemctl") || strings.Contains(fixText(k), "trust add") {
		t.Errorf("fixes:\n%s", fixText(k))
	}
	// A regular /etc/nix/nix.conf on NixOS is overwritten at the next switch.
	m2 := newMachine(t)
	m2.write("/etc/NIXOS", "")
	m2.write("/etc/nix/nix.conf", "")
	if r := m2.check("daemon", key1); !r.Platform.Generated {
		t.Errorf("%+v", r.Platform)
	}
}

func TestNixDarwin(t *testing.T) {
	m := newMachine(t)
	m.goos = "darwin"
	m.write("/nix/store/aaaa-nix.conf", "")
	m.symlink("/etc/static", "/nix/store/bbbb-etc")
	m.symlink("/nix/store/bbbb-etc/nix/nix.conf", "/nix/store/aaaa-nix.conf")
	m.symlink("/etc/nix/nix.conf", "/etc/static/nix/nix.conf")
	m.daemon(42, time.Now().Add(time.Hour), nil)
	r := m.check("daemon", key1)
	k := want(t, r, NotTrusted)
	if r.Platform.Kind != "nix-darwin" || !r.Platform.Generated {
		t.Errorf("%+v", r.Platform)
	}
	wantFix(t, k, "darwin-rebuild switch", "nix.settings.trusted-public-keys", "$ sudo launchctl kickstart -k system/org.nixos.nix-daemon", "twice")
	// Plain macOS multi-user install.
	m = newMachine(t)
	m.goos = "darwin"
	m.daemon(42, time.Now().Add(time.Hour), nil)
	wantFix(t, want(t, m.check("daemon", key1), NotTrusted), "$ sudo nixsign trust add "+key1, "launchctl kickstart -k system/org.nixos.nix-daemon")
}

func TestHomeManager(t *testing.T) {
	m := newMachine(t)
	m.write("/nix/store/cccc-home-manager-files/.config/nix/nix.conf", "extra-trusted-public-keys = "+key1Other+"\n")
	m.symlink("/home/alice/.config/nix/nix.conf", "/nix/store/cccc-home-manager-files/.config/nix/nix.conf")
	r := m.check("local", key2)
	k := want(t, r, NotTrusted)
	if !r.Platform.HomeManager {
		t.Errorf("%+v", r.Platform)
	}
	wantFix(t, k, "home.nix", `nix.settings.trusted-public-keys = [ "`+key2+`" ];`)
	k = want(t, m.check("local", key1), Shadowed)
	wantFix(t, k, "home.nix", "home-manager switch")
}

func TestConfigError(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\na=b\n")
	r := m.check("local", key1)
	if r.Problem != ProblemConfig || len(r.Errors) != 1 || r.Errors[0].Message != "/etc/nix/nix.conf:2: illegal configuration line 'a=b'" {
		t.Errorf("%q %+v", r.Problem, r.Errors)
	}
	want(t, r, NotTrusted, "config-error")
	// The daemon's configuration breaks: the client's is fine.
	m = newMachine(t)
	m.write("/srv/nix/nix.conf", "require-sigs = maybe\n")
	m.daemon(42, time.Now(), map[string]string{"NIX_CONF_DIR": "/srv/nix"})
	r = m.check("daemon", key1)
	if r.Problem != ProblemConfig || r.Errors[0].Whose != "daemon" {
		t.Errorf("%q %+v", r.Problem, r.Errors)
	}
}

func TestProblemPrecedence(t *testing.T) {
	m := newMachine(t)
	m.user = User{Name: "root", Group: "root"}
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1Other+" "+key2+"\n")
	m.touch("/etc/nix/nix.conf", time.Now().Add(time.Hour))
	m.daemon(42, time.Now(), map[string]string{})
	m.vars["NIX_CONFIG"] = "extra-trusted-public-keys = " + key1
	m.user = User{Name: "alice", Group: "users", UID: 1000}
	r := m.check("daemon", key2, key1, "nobody-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")
	got := []Verdict{r.Keys[0].Verdict, r.Keys[1].Verdict, r.Keys[2].Verdict}
	if got[0] != RestartNeeded || got[1] != Shadowed || got[2] != NotTrusted || r.Problem != ProblemNotTrusted {
		t.Errorf("%q, problem %q", got, r.Problem)
	}
	r = m.check("daemon", key2, key1)
	if r.Problem != ProblemShadowed {
		t.Errorf("problem %q", r.Problem)
	}
	r = m.check("daemon", key2)
	if r.Problem != ProblemRestart {
		t.Errorf("problem %q", r.Problem)
	}
	for i, p := range Problems[1:] {
		if Problems[i] == p {
			t.Fatal("duplicate problem")
		}
	}
}

func TestCache(t *testing.T) {
	for _, tc := range []struct {
		name, conf, nixConfig, store, url, status string
	}{
		{"default substituter", "", "", "daemon", "https://cache.nixos.org", "used"},
		{"daemon substituter", "substituters = https://c.example/\n", "", "daemon", "https://c.example", "used"},
		{"not listed, untrusted", "", "", "daemon", "https://c.example", "refused"},
		{"trusted-substituters", "trusted-substituters = https://c.example\n", "", "daemon", "https://c.example", "allowed"},
		{"user enables a trusted substituter", "trusted-substituters = https://c.example/\n", "extra-substituters = https://c.example", "daemon", "https://c.example", "used"},
		{"user's untrusted substituter", "", "substituters = https://c.example/", "daemon", "https://c.example/", "refused"},
		{"trailing slash the daemon lacks", "trusted-substituters = https://c.example\n", "", "daemon", "https://c.example/", "refused"},
		{"user's substituters replace the daemon's", "substituters = https://c.example/\n", "substituters =", "daemon", "https://c.example/", "allowed"},
		{"trusted user", "trusted-users = @wheel\n", "extra-substituters = https://c.example", "daemon", "https://c.example", "used"},
		{"trusted user, not listed", "trusted-users = @wheel\n", "", "daemon", "https://c.example", "allowed"},
		{"local store", "", "extra-substituters = https://c.example", "local", "https://c.example/", "used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := newMachine(t)
			m.write("/etc/nix/nix.conf", tc.conf)
			if tc.nixConfig != "" {
				m.vars["NIX_CONFIG"] = tc.nixConfig
			}
			opts := m.options(tc.store)
			opts.Cache = tc.url
			r := m.checkOpts(opts)
			if r.Cache.Status != tc.status {
				t.Errorf("status %q, want %q: %+v", r.Cache.Status, tc.status, r.Cache)
			}
			if (r.Problem == ProblemCache) != (tc.status == "refused") {
				t.Errorf("problem %q", r.Problem)
			}
			if tc.name == "trailing slash the daemon lacks" && !strings.Contains(r.Cache.Reasons[len(r.Cache.Reasons)-1].Code, "trailing-slash") {
				t.Errorf("%+v", r.Cache.Reasons)
			}
		})
	}
}

func TestCrossCheck(t *testing.T) {
	m := newMachine(t)
	m.write("/etc/nix/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
	var gotEnv []string
	nixSays := `{"trusted-public-keys":{"value":["` + nixosKey + `","` + key1 + `"]},"require-sigs":{"value":true},"substituters":{"value":["https://cache.nixos.org/"]},"trusted-users":{"value":["root"]}}`
	m.run = func(ctx context.Context, env []string, args ...string) ([]byte, error) {
		gotEnv = env
		if strings.Join(args, " ") != "--extra-experimental-features nix-command show-config --json" {
			t.Errorf("args %q", args)
		}
		return []byte(nixSays), nil
	}
	opts := m.options("local")
	opts.CrossCheck = true
	r := m.checkOpts(opts, key1)
	if r.CrossCheck == nil || !r.CrossCheck.Agrees || r.Problem != ProblemNone {
		t.Fatalf("%+v %q", r.CrossCheck, r.Problem)
	}
	if !strings.Contains(strings.Join(gotEnv, "\n"), "HOME=/home/alice") {
		t.Errorf("env %q", gotEnv)
	}
	nixSays = strings.Replace(nixSays, `"require-sigs":{"value":true}`, `"require-sigs":{"value":false}`, 1)
	r = m.checkOpts(opts, key1)
	if r.CrossCheck.Agrees || r.Problem != ProblemDisagree || len(r.CrossCheck.Differences) != 1 || r.CrossCheck.Differences[0].Setting != "require-sigs" {
		t.Errorf("%+v %q", r.CrossCheck, r.Problem)
	}
	// Nix 2.20 renamed the command.
	m.run = func(ctx context.Context, env []string, args ...string) ([]byte, error) {
		if args[2] == "show-config" {
			return nil, &exec.ExitError{Stderr: []byte("error: 'show-config' is not a recognised command")}
		}
		return []byte(`{}`), nil
	}
	opts.Machine.RunNix = m.run
	if r = m.checkOpts(opts, key1); !r.CrossCheck.Agrees || !strings.Contains(r.CrossCheck.Command, "config show") {
		t.Errorf("%+v", r.CrossCheck)
	}
	opts.Machine.RunNix = func(context.Context, []string, ...string) ([]byte, error) {
		return nil, errors.New(`exec: "nix": executable file not found in $PATH`)
	}
	if r = m.checkOpts(opts, key1); r.CrossCheck.Err == "" || r.Problem != ProblemNone {
		t.Errorf("%+v %q", r.CrossCheck, r.Problem)
	}
}
