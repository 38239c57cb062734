package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

const vectors = "../testdata/vectors/"

// The two outputs of sigtest-a.drv, and the signatures test-key-1 gives
// them (check-output.txt, made by Nix 2.8.0).
const (
	outA   = "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"
	devA   = "/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"
	sigOut = "test-key-1:kLz1xZjqyqxZ6ZF5HcIuIkSA56mGBKPJhUV4RXv0S1H24saGksQp68YmZGseYvHESRPl8hohklSKW43uXU7IAA=="
	sigDev = "test-key-1:aJMYrYPgTSOtW7xqBCeHJyY3zKqsdAMLgKDVlxpn8FYp7sL8kfWnArwvwPQbi0aGvzuKtNU3zRQJMlTEd3YfCg=="
	runSh  = "/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"
	hello  = "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
)

// fakeStore holds path infos in memory and records AddSignatures.
type fakeStore struct {
	name    string
	dir     string
	mu      sync.Mutex
	infos   map[string]*sign.PathInfo
	added   map[string][]string
	addErr  error // returned by every AddSignatures
	closed  bool
	queried int // PathInfo calls
}

var _ store.Store = (*fakeStore)(nil)

func (s *fakeStore) String() string { return s.name }
func (s *fakeStore) Dir() string    { return s.dir }
func (s *fakeStore) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

func (s *fakeStore) PathInfo(_ context.Context, path string) (*sign.PathInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queried++
	info, ok := s.infos[path]
	if !ok {
		return nil, &store.NotValidError{Path: path, Store: s.name}
	}
	c := *info
	c.Sigs = slices.Clone(info.Sigs)
	return &c, nil
}

func (s *fakeStore) AddSignatures(_ context.Context, path string, sigs []string) error {
	if s.addErr != nil {
		return s.addErr
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.infos[path].AddSigs(sigs...)
	s.added[path] = append(s.added[path], sigs...)
	return nil
}

func (s *fakeStore) NAR(context.Context, string, io.Writer) error {
	return errors.New("fake store: no NAR")
}

// vectorStore returns a store holding sigtest-a's outputs and their
// references, with the NAR hashes, sizes and references Nix 2.8.0 reported
// and no signatures.
func vectorStore(t testing.TB) *fakeStore {
	t.Helper()
	s := &fakeStore{name: "fake", dir: storepath.DefaultDir, infos: map[string]*sign.PathInfo{}, added: map[string][]string{}}
	add := func(path, narHash string, size uint64, refs ...string) {
		p, err := storepath.Parse(s.dir, path)
		if err != nil {
			t.Fatal(err)
		}
		h, err := hash.Parse(narHash)
		if err != nil {
			t.Fatal(err)
		}
		info := &sign.PathInfo{Path: p, NarHash: h, NarSize: size, Ultimate: true}
		for _, r := range refs {
			rp, _ := storepath.Parse(s.dir, r)
			info.References = append(info.References, rp)
		}
		s.infos[path] = info
	}
	add(outA, "sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr", 168, hello)
	add(devA, "sha256:12frmx2v5shc4x9rcc6az9xbb5x4aw2f4an24p7gqx2qbrzsgvws", 224, runSh, outA)
	add(runSh, "sha256:183p8jhjfcpk6kac6hxwp4gzp9brkvkibylz27jfbvgd5kqcq2jy", 168)
	add(hello, "sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil", 128)
	return s
}

// keyFile writes the test key to a private file and returns its path.
func keyFile(t testing.TB, mode os.FileMode) string {
	t.Helper()
	data, err := os.ReadFile(vectors + "secret.key")
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "k.sec")
	if err := os.WriteFile(f, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f, mode); err != nil {
		t.Fatal(err)
	}
	return f
}

// testEnv is a hermetic environment: no config file exists unless the
// test writes one.
func testEnv(t testing.TB, vars map[string]string) config.Env {
	t.Helper()
	dir := t.TempDir()
	env := config.Env{Home: dir, Vars: map[string]string{
		"HOME":                   dir,
		"NIXSIGN_CONFIG":         "",
		"NIXSIGN_SYSTEM_CONFIG":  "",
		"FLOX_CONFIG_DIR":        filepath.Join(dir, "flox"),
		"FLOX_SYSTEM_CONFIG_DIR": "",
		"XDG_CONFIG_HOME":        filepath.Join(dir, "xdg"),
		"XDG_CONFIG_DIRS":        filepath.Join(dir, "xdg-dirs"),
	}}
	for k, v := range vars {
		env.Vars[k] = v
	}
	return env
}

// writeFile writes a file, making its directory.
func writeFile(t testing.TB, name, data string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// output collects what a run prints.
type output struct {
	stdout bytes.Buffer
	info   []string
	warn   []string
}

func (o *output) options(env config.Env, s store.Store) *Options {
	return &Options{
		Env:    env,
		Stdout: &o.stdout,
		Info:   func(m string) { o.info = append(o.info, m) },
		Warn:   func(m string) { o.warn = append(o.warn, m) },
		OpenStore: func(context.Context, string, *store.Options) (store.Store, error) {
			if s == nil {
				return nil, &store.UnavailableError{Store: "daemon", Err: errors.New("cannot connect to the Nix daemon: no socket at /nowhere (is nix-daemon running?)")}
			}
			return s, nil
		},
		Now: func() time.Time { return time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC) },
	}
}

// readLog parses a log file.
func readLog(t testing.TB, name string) []LogEntry {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var entries []LogEntry
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		var e LogEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		entries = append(entries, e)
	}
	return entries
}
