package trust

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// hermetic is the NIX_CONFIG of every nix command the tests run (no
// sandbox, no network).
const hermetic = "experimental-features = nix-command flakes\nsandbox = false\nsubstituters ="

// requireNixStore skips unless real Nix may write /nix/store (root).
func requireNixStore(t *testing.T) {
	t.Helper()
	requireNix(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to build into /nix/store")
	}
	for _, p := range []string{"nix-build", "nix-daemon"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Skipf("%s not in PATH", p)
		}
	}
}

func nixCmd(t *testing.T, env map[string]string, args ...string) *exec.Cmd {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

func run(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// signedCache is an input-addressed store path pushed to a file:// cache,
// signed with a key of its own.
type signedCache struct {
	dir, path, key, other string // other: a different key with key's name
	secret                string // key's secret half
}

var (
	cacheOnce sync.Once
	cacheVal  *signedCache
	cacheErr  string
	cacheTemp string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if cacheTemp != "" {
		os.RemoveAll(cacheTemp)
	}
	os.Exit(code)
}

// newSignedCache builds a path from a /bin/sh derivation (unique per run),
// makes a key with nix key generate-secret and pushes the path, signed, to
// a cache with nix copy.
func newSignedCache(t *testing.T) *signedCache {
	cacheOnce.Do(func() {
		dir, err := os.MkdirTemp("", "nixsign-trust-e2e-")
		if err != nil {
			cacheErr = err.Error()
			return
		}
		cacheTemp = dir
		sc, msg := makeSignedCache(dir)
		cacheVal, cacheErr = sc, msg
	})
	if cacheErr != "" {
		t.Fatal(cacheErr)
	}
	return cacheVal
}

func makeSignedCache(dir string) (*signedCache, string) {
	env := []string{"PATH=" + os.Getenv("PATH"), "NIX_CONFIG=" + hermetic, "HOME=" + dir, "NIX_CONF_DIR=" + dir, "NIX_USER_CONF_FILES="}
	out := func(stdin string, args ...string) (string, string) {
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Env, cmd.Dir, cmd.Stdin = env, dir, strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		o, err := cmd.Output()
		if err != nil {
			return "", strings.Join(args, " ") + ": " + err.Error() + "\n" + stderr.String()
		}
		return strings.TrimSpace(string(o)), ""
	}
	var nonce [6]byte
	rand.Read(nonce[:])
	name := "nixsign-trust-e2e-" + hex.EncodeToString(nonce[:])
	expr := `derivation { name = "` + name + `"; system = builtins.currentSystem; builder = "/bin/sh"; args = [ "-c" "echo ` + name + ` > $out" ]; }`
	sc := &signedCache{dir: dir + "/cache"}
	var msg string
	if sc.path, msg = out("", "nix-build", "--no-out-link", "-E", expr); msg != "" {
		return nil, msg
	}
	secret, msg := out("", "nix", "key", "generate-secret", "--key-name", "nixsign-e2e-1")
	if msg != "" {
		return nil, msg
	}
	sc.secret = secret
	if err := os.WriteFile(dir+"/secret", []byte(secret), 0o600); err != nil {
		return nil, err.Error()
	}
	if sc.key, msg = out(secret, "nix", "key", "convert-secret-to-public"); msg != "" {
		return nil, msg
	}
	sc.other = "nixsign-e2e-1:" + strings.SplitN(key2, ":", 2)[1]
	if _, msg = out("", "nix", "copy", "--to", "file://"+sc.dir+"?secret-key="+dir+"/secret&compression=none", sc.path); msg != "" {
		return nil, msg
	}
	return sc, ""
}

// TestAcceptsLikeNixCopy compares, for a matrix of configurations, the
// checker's verdict on a local store (nix copy --store DIR opens the store
// in its own process, so the system file, the user files and NIX_CONFIG
// all count, as for root in CI) with whether nix copy from the cache into a
// fresh store succeeds.
func TestAcceptsLikeNixCopy(t *testing.T) {
	requireNixStore(t)
	sc := newSignedCache(t)
	for _, tc := range []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  Verdict
	}{
		{"system trusted-public-keys", map[string]string{"etc/nix.conf": "trusted-public-keys = $KEY\n"}, nil, Trusted},
		{"system extra-", map[string]string{"etc/nix.conf": "extra-trusted-public-keys = $KEY\n"}, nil, Trusted},
		{"included file", map[string]string{"etc/nix.conf": "include keys.conf\n", "etc/keys.conf": "extra-trusted-public-keys = $KEY\n"}, nil, Trusted},
		{"user file only", map[string]string{"home/.config/nix/nix.conf": "extra-trusted-public-keys = $KEY\n"}, nil, Trusted},
		{"NIX_CONFIG only", nil, map[string]string{"NIX_CONFIG": hermetic + "\nextra-trusted-public-keys = $KEY"}, Trusted},
		{"user file ignored (NIX_USER_CONF_FILES empty)", map[string]string{"home/.config/nix/nix.conf": "extra-trusted-public-keys = $KEY\n"}, map[string]string{"NIX_USER_CONF_FILES": ""}, NotTrusted},
		{"shadowed by a same-name key", map[string]string{"etc/nix.conf": "extra-trusted-public-keys = $OTHER $KEY\n"}, nil, Shadowed},
		{"replaced by a later plain assignment", map[string]string{"etc/nix.conf": "extra-trusted-public-keys = $KEY\n", "home/.config/nix/nix.conf": "trusted-public-keys = $OTHER\n"}, nil, Shadowed},
		{"absent", nil, nil, NotTrusted},
		// Nix throws on every entry that is not a valid public key, of any
		// name: "public key is not valid", "secret key is corrupt".
		{"malformed entry", map[string]string{"etc/nix.conf": "extra-trusted-public-keys = $KEY garbage\n"}, nil, BadConfig},
		{"malformed entry of the key's name first", map[string]string{"etc/nix.conf": "extra-trusted-public-keys = nixsign-e2e-1:AAAA $KEY\n"}, nil, BadConfig},
		{"malformed entry of the key's name later", map[string]string{"etc/nix.conf": "extra-trusted-public-keys = $KEY nixsign-e2e-1:AAAA\n"}, nil, BadConfig},
		{"a secret key as an entry", map[string]string{"etc/nix.conf": "extra-trusted-public-keys = $SECRET\n"}, nil, BadConfig},
		{"malformed entry, require-sigs = false", map[string]string{"etc/nix.conf": "require-sigs = false\nextra-trusted-public-keys = garbage\n"}, nil, AcceptsAll},
		{"require-sigs = false", map[string]string{"etc/nix.conf": "require-sigs = false\n"}, nil, AcceptsAll},
		{"require-sigs = false in NIX_CONFIG", nil, map[string]string{"NIX_CONFIG": hermetic + "\nrequire-sigs = false"}, AcceptsAll},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			w := t.TempDir()
			env := map[string]string{"NIX_CONF_DIR": w + "/etc", "HOME": w + "/home", "XDG_CONFIG_DIRS": w + "/xdg", "NIX_CONFIG": hermetic}
			for k, v := range tc.env {
				env[k] = strings.ReplaceAll(v, "$KEY", sc.key)
			}
			writeFiles(t, w, tc.files, sc)
			store := w + "/fresh-store"
			r, err := Check(context.Background(), Options{Store: store, Machine: Machine{Vars: env}}, mustKey(t, sc.key))
			if err != nil {
				t.Fatal(err)
			}
			cmd := nixCmd(t, env, "nix", "copy", "--from", "file://"+sc.dir, "--store", store, sc.path)
			out, err := cmd.CombinedOutput()
			k := r.Keys[0]
			if k.Verdict != tc.want {
				t.Errorf("verdict %s, want %s: %+v", k.Verdict, tc.want, k.Reasons)
			}
			if k.Accepted != (err == nil) {
				t.Errorf("checker: accepted=%v (%s); nix copy: %v\n%s", k.Accepted, k.Verdict, err, out)
			}
		})
	}
}

func writeFiles(t *testing.T, w string, files map[string]string, sc *signedCache) {
	for name, data := range files {
		p := filepath.Join(w, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		data = strings.ReplaceAll(data, "$OTHER", sc.other)
		data = strings.ReplaceAll(data, "$SECRET", sc.secret)
		data = strings.ReplaceAll(data, "$KEY", sc.key)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// testDaemon is a nix-daemon of the test's own: its socket, configuration
// directory and home (for its user files) are in a temporary directory, and
// its store is a chroot store there, so that the real /nix/store is not
// touched.
type testDaemon struct {
	t                    *testing.T
	dir, socket, confDir string
	env                  map[string]string
	cmd                  *exec.Cmd
}

func newTestDaemon(t *testing.T, daemonNixConfig string) *testDaemon {
	dir := t.TempDir()
	d := &testDaemon{t: t, dir: dir, socket: dir + "/daemon.sock", confDir: dir + "/etc"}
	d.env = map[string]string{
		"NIX_CONF_DIR":           d.confDir,
		"NIX_DAEMON_SOCKET_PATH": d.socket,
		"HOME":                   dir + "/root",
		"XDG_CONFIG_DIRS":        dir + "/xdg",
		"NIX_CONFIG":             "store = " + dir + "/store\nsandbox = false\n" + daemonNixConfig,
	}
	os.MkdirAll(d.confDir, 0o755)
	t.Cleanup(d.stop)
	return d
}

func (d *testDaemon) start() {
	d.t.Helper()
	os.Remove(d.socket)
	d.cmd = nixCmd(d.t, d.env, "nix-daemon")
	var log bytes.Buffer
	d.cmd.Stdout, d.cmd.Stderr = &log, &log
	if err := d.cmd.Start(); err != nil {
		d.t.Fatal(err)
	}
	for range 200 {
		if _, err := os.Stat(d.socket); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	d.t.Fatalf("nix-daemon did not create %s (so 2.8.0 ignores NIX_DAEMON_SOCKET_PATH?)\n%s", d.socket, log.String())
}

// stop kills the daemon the test started (and nothing else).
func (d *testDaemon) stop() {
	if d.cmd != nil && d.cmd.Process != nil {
		d.cmd.Process.Kill()
		d.cmd.Wait()
		d.cmd = nil
	}
}

func (d *testDaemon) write(name, data string) {
	d.t.Helper()
	p := filepath.Join(d.dir, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// TestAcceptsLikeNixDaemon compares the checker's verdict with nix copy
// into a real nix-daemon's store, for configurations where the daemon's
// view and the user's differ.
func TestAcceptsLikeNixDaemon(t *testing.T) {
	requireNixStore(t)
	sc := newSignedCache(t)
	for _, tc := range []struct {
		name            string
		daemonConf      string // the daemon's nix.conf
		daemonUserFile  string // its ~/.config/nix/nix.conf
		daemonNixConfig string
		clientNixConfig string
		clientUserFile  string
		want            Verdict
	}{
		{name: "daemon's nix.conf", daemonConf: "extra-trusted-public-keys = $KEY\n", want: Trusted},
		{name: "daemon's own user file", daemonUserFile: "extra-trusted-public-keys = $KEY\n", want: Trusted},
		{name: "daemon's own NIX_CONFIG", daemonNixConfig: "extra-trusted-public-keys = $KEY", want: Trusted},
		{name: "untrusted user's file", daemonConf: "trusted-users = nobody\n", clientUserFile: "extra-trusted-public-keys = $KEY\n", want: UserOnly},
		{name: "untrusted user's NIX_CONFIG", daemonConf: "trusted-users = nobody\n", clientNixConfig: "extra-trusted-public-keys = $KEY", want: UserOnly},
		{name: "trusted user's NIX_CONFIG", clientNixConfig: "extra-trusted-public-keys = $KEY", want: Trusted},
		{name: "trusted user's list replaces the daemon's", daemonConf: "extra-trusted-public-keys = $KEY\n", clientNixConfig: "trusted-public-keys = $OTHER", want: Shadowed},
		{name: "untrusted user's list is ignored", daemonConf: "trusted-users = nobody\nextra-trusted-public-keys = $KEY\n", clientNixConfig: "trusted-public-keys = $OTHER", want: Trusted},
		{name: "trusted user's require-sigs = false does not reach the daemon", clientNixConfig: "require-sigs = false", want: NotTrusted},
		{name: "daemon's require-sigs = false", daemonConf: "require-sigs = false\n", want: AcceptsAll},
		{name: "absent", want: NotTrusted},
		{name: "daemon's malformed entry of the key's name", daemonConf: "extra-trusted-public-keys = nixsign-e2e-1:AAAA $KEY\n", want: BadConfig},
		{name: "daemon's secret key entry", daemonConf: "extra-trusted-public-keys = $KEY $SECRET\n", want: BadConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fill := func(s string) string {
				return strings.NewReplacer("$OTHER", sc.other, "$KEY", sc.key, "$SECRET", sc.secret).Replace(s)
			}
			d := newTestDaemon(t, fill(tc.daemonNixConfig))
			d.write("etc/nix.conf", fill(tc.daemonConf))
			if tc.daemonUserFile != "" {
				d.write("root/.config/nix/nix.conf", fill(tc.daemonUserFile))
			}
			d.start()
			w := t.TempDir()
			client := map[string]string{
				"NIX_REMOTE":   "unix://" + d.socket,
				"NIX_CONF_DIR": w + "/etc", "HOME": w + "/home", "XDG_CONFIG_DIRS": w + "/xdg",
				"NIX_CONFIG": hermetic + "\n" + fill(tc.clientNixConfig),
			}
			if tc.clientUserFile != "" {
				writeFiles(t, w, map[string]string{"home/.config/nix/nix.conf": tc.clientUserFile}, sc)
			}
			r, err := Check(context.Background(), Options{Machine: Machine{Vars: client}}, mustKey(t, sc.key))
			if err != nil {
				t.Fatal(err)
			}
			if r.Store.Mode != ModeDaemon || len(r.Daemon.Processes) != 1 || r.Daemon.Processes[0].PID != d.cmd.Process.Pid || !r.Daemon.EnvKnown {
				t.Fatalf("did not find the test's daemon (pid %d): %+v %+v", d.cmd.Process.Pid, r.Store, r.Daemon)
			}
			out, err := nixCmd(t, client, "nix", "copy", "--from", "file://"+sc.dir, sc.path).CombinedOutput()
			k := r.Keys[0]
			if k.Verdict != tc.want {
				t.Errorf("verdict %s, want %s: %+v", k.Verdict, tc.want, k.Reasons)
			}
			if k.Accepted != (err == nil) {
				t.Errorf("checker: accepted=%v (%s); nix copy to the daemon: %v\n%s", k.Accepted, k.Verdict, err, out)
			}
		})
	}
}

// TestRestartRealDaemon starts a real nix-daemon, changes the nix.conf it
// read, and checks that the checker asks for a restart, then that it no
// longer does once the daemon restarted.
func TestRestartRealDaemon(t *testing.T) {
	requireNixStore(t)
	d := newTestDaemon(t, "")
	d.write("etc/nix.conf", "extra-trusted-public-keys = "+key1+"\n")
	d.write("etc/keys.conf", "\n")
	d.start()
	client := map[string]string{
		"NIX_DAEMON_SOCKET_PATH": d.socket, "NIX_REMOTE": "daemon",
		"NIX_CONF_DIR": d.confDir, "HOME": d.dir + "/home", "NIX_CONFIG": hermetic,
	}
	opts := Options{Machine: Machine{Vars: client}}
	check := func() *Report {
		t.Helper()
		r, err := Check(context.Background(), opts, mustKey(t, key1))
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Daemon.Processes) != 1 || r.Daemon.Processes[0].PID != d.cmd.Process.Pid {
			t.Fatalf("did not find the test's daemon (pid %d): %+v", d.cmd.Process.Pid, r.Daemon)
		}
		return r
	}
	if r := check(); r.Keys[0].Verdict != Trusted || r.Daemon.Stale || r.Problem != ProblemNone {
		t.Fatalf("fresh daemon: %s %+v", r.Keys[0].Verdict, r.Daemon)
	}
	// An included file changes after the daemon started.
	time.Sleep(2 * staleMargin)
	d.write("etc/nix.conf", "extra-trusted-public-keys = "+key1+"\ninclude keys.conf\n")
	r := check()
	if r.Keys[0].Verdict != RestartNeeded || !r.Daemon.Stale || r.Problem != ProblemRestart || r.RestartFix == nil {
		t.Fatalf("after the change: %s %+v", r.Keys[0].Verdict, r.Daemon)
	}
	time.Sleep(2 * staleMargin)
	d.write("etc/keys.conf", "extra-trusted-public-keys = "+key2+"\n")
	r = check()
	changed := map[string]bool{}
	for _, f := range r.Daemon.Files {
		changed[f.Path] = f.Changed
	}
	if !changed[d.confDir+"/keys.conf"] || !changed[d.confDir+"/nix.conf"] {
		t.Errorf("changed files: %+v", r.Daemon.Files)
	}
	d.stop()
	d.start()
	if r := check(); r.Keys[0].Verdict != Trusted || r.Daemon.Stale || r.Problem != ProblemNone {
		t.Fatalf("after the restart: %s %+v", r.Keys[0].Verdict, r.Daemon)
	}
}
