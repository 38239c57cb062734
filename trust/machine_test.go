package trust

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixsign/nixsign/sign"
)

// The keys of testdata/vectors: public.key, public2.key, and a key with
// test-key-1's name but other bytes.
const (
	key1      = "test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="
	key2      = "gbck-1:vjwJQPJcQdsdSxtngRhcgA2yPKaHo1xPGQ99uHi2BOA="
	key1Other = "test-key-1:vjwJQPJcQdsdSxtngRhcgA2yPKaHo1xPGQ99uHi2BOA="
	nixosKey  = "cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY="
)

func mustKey(t testing.TB, s string) sign.PublicKey {
	t.Helper()
	k, err := sign.ParsePublicKey(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fakeProcs is a process table given in full.
type fakeProcs []Process

func (f fakeProcs) Daemons() ([]Process, error) { return f, nil }

// machine describes a whole machine under a temporary root: user alice
// (uid 1000, primary group users, member of wheel) by default.
type machine struct {
	t     testing.TB
	root  string
	vars  map[string]string
	procs fakeProcs
	user  User
	goos  string
	now   time.Time
	run   func(ctx context.Context, env []string, args ...string) ([]byte, error)
}

func newMachine(t testing.TB) *machine {
	m := &machine{
		t:    t,
		root: t.TempDir(),
		vars: map[string]string{"HOME": "/home/alice"},
		user: User{UID: 1000, GID: 100, Name: "alice", Group: "users"},
		goos: "linux",
		now:  time.Now(),
	}
	m.write("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:100::/home/alice:/bin/sh\n")
	m.write("/etc/group", "root:x:0:\nwheel:x:10:bob,alice\nusers:x:100:\nnixbld:x:30000:\n")
	return m
}

func (m *machine) path(p string) string { return filepath.Join(m.root, p) }

func (m *machine) write(p, content string) {
	m.t.Helper()
	if err := os.MkdirAll(filepath.Dir(m.path(p)), 0o755); err != nil {
		m.t.Fatal(err)
	}
	if err := os.WriteFile(m.path(p), []byte(content), 0o644); err != nil {
		m.t.Fatal(err)
	}
}

func (m *machine) symlink(p, target string) {
	m.t.Helper()
	os.MkdirAll(filepath.Dir(m.path(p)), 0o755)
	if err := os.Symlink(target, m.path(p)); err != nil {
		m.t.Fatal(err)
	}
}

// touch sets the modification time of a file.
func (m *machine) touch(p string, t time.Time) {
	m.t.Helper()
	if err := os.Chtimes(m.path(p), t, t); err != nil {
		m.t.Fatal(err)
	}
}

// daemon adds a listening nix-daemon; env nil means unreadable.
func (m *machine) daemon(pid int, start time.Time, env map[string]string) {
	m.procs = append(m.procs, Process{PID: pid, PPID: 1, UID: 0, Name: "nix-daemon", Args: []string{"nix-daemon"}, Start: start, Env: env, Cwd: "/"})
}

func (m *machine) options(store string) Options {
	u := m.user
	return Options{
		Store: store,
		Machine: Machine{
			Vars: m.vars, Root: m.root, Procs: m.procs, User: &u, GOOS: m.goos,
			Now: func() time.Time { return m.now }, RunNix: m.run,
		},
	}
}

func (m *machine) check(store string, keys ...string) *Report {
	m.t.Helper()
	return m.checkOpts(m.options(store), keys...)
}

func (m *machine) checkOpts(opts Options, keys ...string) *Report {
	m.t.Helper()
	var pks []sign.PublicKey
	for _, k := range keys {
		pks = append(pks, mustKey(m.t, k))
	}
	r, err := Check(context.Background(), opts, pks...)
	if err != nil {
		m.t.Fatal(err)
	}
	return r
}

// want checks the verdict of the first key and that each reason code and
// fix text fragment appears.
func want(t *testing.T, r *Report, v Verdict, codes ...string) KeyReport {
	t.Helper()
	if len(r.Keys) == 0 {
		t.Fatalf("no key in report")
	}
	k := r.Keys[0]
	if k.Verdict != v {
		t.Errorf("verdict %q, want %q", k.Verdict, v)
	}
	for _, c := range codes {
		found := false
		for _, rs := range k.Reasons {
			found = found || rs.Code == c
		}
		if !found {
			t.Errorf("no reason %q", c)
		}
	}
	if t.Failed() {
		var b strings.Builder
		r.WriteText(&b)
		t.Logf("report:\n%s\nwarnings: %q\nerrors: %q", b.String(), r.Warnings, r.Errors)
	}
	return k
}

// fixText returns all fixes of the first key as text.
func fixText(k KeyReport) string {
	var b strings.Builder
	writeFixes(&b, k.Fixes)
	return b.String()
}

func wantFix(t *testing.T, k KeyReport, fragments ...string) {
	t.Helper()
	text := fixText(k)
	for _, f := range fragments {
		if !strings.Contains(text, f) {
			t.Errorf("fixes lack %q:\n%s", f, text)
		}
	}
}
