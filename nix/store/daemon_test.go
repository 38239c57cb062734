package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nixsign/nixsign/nix/daemon"
)

// fakePaths are the vectors as a daemon would describe them.
func fakePaths(t *testing.T) map[string]*fakePath {
	out := map[string]*fakePath{}
	for _, v := range vecs {
		pi := info(t, v)
		out[v.path] = &fakePath{narHash: pi.NarHash.Base16(), narSize: v.narSize, refs: v.refs,
			deriver: "/nix/store/509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv"}
	}
	return out
}

func openFake(t *testing.T, f *fakeDaemon) Store {
	t.Helper()
	s, err := Open(context.Background(), "unix://"+f.sock, &Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func allPaths() []string {
	var out []string
	for _, v := range vecs {
		out = append(out, v.path)
	}
	return out
}

func TestDaemonSign(t *testing.T) {
	ctx := context.Background()
	f := newFakeDaemon(t, fakePaths(t))
	s := openFake(t, f)
	res, err := SignPaths(ctx, s, testKey(t, "secret.key"), allPaths())
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Sig != vecs[i].sig || !r.Added || !r.Recorded {
			t.Errorf("%s: %+v", vecs[i].path, r)
		}
		if got := f.paths[vecs[i].path].sigs; len(got) != 1 || got[0] != vecs[i].sig {
			t.Errorf("%s: the daemon has %q", vecs[i].path, got)
		}
	}
	// The closure, and the deriver for push.
	infos, err := Closure(ctx, s, []string{dev})
	if err != nil || len(infos) != 4 {
		t.Fatalf("closure: %d, %v", len(infos), err)
	}
	d, _, err := s.(Describer).Describe(ctx, dev)
	if err != nil || d != "/nix/store/509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv" {
		t.Errorf("deriver %q, %v", d, err)
	}
	_, err = s.PathInfo(ctx, "/nix/store/00000000000000000000000000000000-x")
	var nv *NotValidError
	if !errors.As(err, &nv) {
		t.Errorf("invalid path: %v", err)
	}
}

// A daemon that does not trust the user: its message, ErrNotPrivileged,
// and the connection stays usable.
func TestDaemonRefusesSignatures(t *testing.T) {
	ctx := context.Background()
	f := newFakeDaemon(t, fakePaths(t))
	f.refuseSigs = true
	s := openFake(t, f)
	_, err := SignPaths(ctx, s, testKey(t, "secret.key"), allPaths())
	if !errors.Is(err, ErrNotPrivileged) || err.Error() != "nix-daemon: you are not privileged to add signatures" {
		t.Fatalf("got %v", err)
	}
	if _, err := s.PathInfo(ctx, vecs[0].path); err != nil {
		t.Errorf("after the refusal: %v", err)
	}
}

// Faults of the connection: each is an *UnavailableError, quickly.
func TestDaemonFaults(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(f *fakeDaemon)
		want string
	}{
		{"closed before the first reply", func(f *fakeDaemon) { f.closeAt = 1 }, "connection closed by the daemon"},
		{"closed mid-run", func(f *fakeDaemon) { f.closeAt = 4 }, "connection closed by the daemon"},
		{"truncated reply", func(f *fakeDaemon) { f.truncateAt = 2 }, "connection closed by the daemon"},
		{"garbled reply", func(f *fakeDaemon) { f.garbleAt = 3 }, "unknown message type 0xdeadbeef"},
		{"no reply", func(f *fakeDaemon) { f.hangAt = 2 }, "no reply within"},
		{"closed while adding signatures", func(f *fakeDaemon) { f.closeAt = 7 }, "connection closed by the daemon"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDaemon(t, fakePaths(t))
			tt.set(f)
			s, err := Open(context.Background(), "unix://"+f.sock, &Options{Timeout: 300 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			start := time.Now()
			_, err = SignPaths(context.Background(), s, testKey(t, "secret.key"), allPaths())
			var ue *UnavailableError
			if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want an *UnavailableError with %q", err, tt.want)
			}
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
			// Later calls fail at once with the same error.
			if _, err2 := s.PathInfo(context.Background(), vecs[0].path); err2 == nil {
				t.Error("the broken connection answered")
			}
		})
	}
}

func TestOpenDaemonMissing(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(context.Background(), "unix://"+dir+"/none", nil)
	var ue *UnavailableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no socket at "+dir+"/none") {
		t.Errorf("got %v", err)
	}
	env := map[string]string{"NIX_DAEMON_SOCKET_PATH": dir + "/none", "NIX_STATE_DIR": dir}
	var lines []string
	s, err := Open(context.Background(), "auto", &Options{
		Getenv:    func(k string) string { return env[k] },
		NixDaemon: dir + "/no-nix-daemon",
		Explain:   func(l string) { lines = append(lines, l) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "files" {
		t.Errorf("auto picked %s", s)
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{"store: daemon: no socket at " + dir + "/none", "store: local: " + dir + "/db is not writable", "store: picked files"} {
		if !strings.Contains(got, want) {
			t.Errorf("explanation %q lacks %q", got, want)
		}
	}
	_, err = Open(context.Background(), "daemon", &Options{Getenv: func(k string) string { return env[k] }})
	if !errors.As(err, &ue) {
		t.Errorf("daemon: %v", err)
	}
}

func TestOpenSpecs(t *testing.T) {
	dir, storeDir := t.TempDir(), t.TempDir()
	for _, tt := range []struct{ spec, want string }{
		{"files", "files"},
		{"files?real=" + dir, "files (" + dir + ")"},
		{"files?root=" + dir, "error"},
		{"files?root=rel", "error"},
		{"files?x=1", "error"},
		{"ssh://host", "error"},
		{"file://" + dir, "file://" + dir},
	} {
		// The store dir is the temporary directory, so that the test does
		// not depend on this machine having /nix/store.
		s, err := Open(context.Background(), tt.spec, &Options{StoreDir: storeDir})
		got := "error"
		if err == nil {
			got = s.String()
			s.Close()
		}
		if got != tt.want {
			t.Errorf("Open(%q) = %s (%v), want %s", tt.spec, got, err, tt.want)
		}
	}
}

// Verify through a daemon store hashes the files while the infos come in,
// and checks each path once its info is there.
func TestDaemonVerify(t *testing.T) {
	ctx := context.Background()
	dir := vectorTree(t)
	paths := map[string]*fakePath{}
	var all []string
	for p, fp := range fakePaths(t) {
		np := dir + "/" + filepath.Base(p)
		refs := fp.refs
		fp.refs = nil // not in place: they are the vectors'
		for _, r := range refs {
			fp.refs = append(fp.refs, dir+"/"+filepath.Base(r))
		}
		fp.deriver = ""
		paths[np] = fp
		all = append(all, np)
	}
	slices.Sort(all)
	f := newFakeDaemon(t, paths)
	s, err := Open(ctx, "unix://"+f.sock, &Options{StoreDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	key := testKey(t, "secret.key")
	if _, err := SignPaths(ctx, s, key, all); err != nil {
		t.Fatal(err)
	}
	// One path altered, one not valid.
	altered := dir + "/qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree"
	if err := os.WriteFile(altered+"/new-file", []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := dir + "/00000000000000000000000000000000-missing"
	check := append(slices.Clone(all), missing)
	var calls int
	var bytes int64
	res := Verify(ctx, s, check, VerifyOptions{Keys: testKeys(t), SigsNeeded: 1, Workers: 3,
		Progress: func(n int, b int64) { calls, bytes = n, b }})
	for i, v := range res {
		want := 0
		switch v.Path {
		case altered:
			want = ExitCorrupted
		case missing:
			want = ExitFailed
		}
		if v.Path != check[i] || v.Code() != want {
			t.Errorf("%s: code %d, %q; want %d", check[i], v.Code(), v.Messages(), want)
		}
	}
	var total int64
	for _, v := range vecs {
		total += int64(v.narSize)
	}
	if calls != len(check) || bytes < total {
		t.Errorf("progress: %d paths, %d bytes; want %d, at least %d", calls, bytes, len(check), total)
	}
}

// A daemon's refusal to an untrusted user says which kind of store refused,
// since the fix is in that daemon's nix.conf (this machine's, or the ssh-ng
// host's).
func TestWrapNotPrivileged(t *testing.T) {
	for _, kind := range []string{"daemon", "local", "ssh-ng"} {
		s := &daemonStore{kind: kind}
		err := s.wrap(fmt.Errorf("AddSignatures: %w", &daemon.RemoteError{Message: "you are not privileged to add signatures"}))
		var npe *NotPrivilegedError
		if !errors.As(err, &npe) || npe.Store != kind || !errors.Is(err, ErrNotPrivileged) {
			t.Errorf("%s: %#v", kind, err)
		}
	}
}
