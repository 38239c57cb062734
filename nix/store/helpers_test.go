package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
)

const vectors = "../../testdata/vectors"

// A vector path: its NAR hash, size, references and test-key-1 signature,
// from check-output.txt (real Nix 2.8.0).
type vector struct {
	path, narHash string
	narSize       uint64
	refs          []string
	sig           string
}

var vecs = []vector{
	{"/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh", "sha256:183p8jhjfcpk6kac6hxwp4gzp9brkvkibylz27jfbvgd5kqcq2jy", 168, nil,
		"test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw=="},
	{"/nix/store/qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree", "sha256:0j75gwbarzrg837d74kjn4vc033d80bsppph1kwc2p2yng6ksbvc", 2576, nil,
		"test-key-1:SpzefBCmrEWfo2/gwihmF4JajfYRQ0pvTClLagXAnMoeau7KKzLcqaWz9HSWuYsU+hDVwMiUZ51PUhIqOP2vDQ=="},
	{"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt", "sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil", 128, nil,
		"test-key-1:vWs7t/wL9KqyOjL2cmwS+x85/+QJP/kzpvGle6gvPxaCZLAADixHoWwsBPH+/LSeDAeDfcm9/EFp8GZ29YHXDw=="},
	{"/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev", "sha256:12frmx2v5shc4x9rcc6az9xbb5x4aw2f4an24p7gqx2qbrzsgvws", 224,
		[]string{"/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh", "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"},
		"test-key-1:aJMYrYPgTSOtW7xqBCeHJyY3zKqsdAMLgKDVlxpn8FYp7sL8kfWnArwvwPQbi0aGvzuKtNU3zRQJMlTEd3YfCg=="},
	{"/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a", "sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr", 168,
		[]string{"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"},
		"test-key-1:kLz1xZjqyqxZ6ZF5HcIuIkSA56mGBKPJhUV4RXv0S1H24saGksQp68YmZGseYvHESRPl8hohklSKW43uXU7IAA=="},
}

// vectorTree restores the vector NARs into a fresh directory, named by
// their base names, and returns it.
func vectorTree(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "nix", "store")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, v := range vecs {
		base := filepath.Base(v.path)
		f, err := os.Open(filepath.Join(vectors, base+".nar"))
		if err != nil {
			t.Fatal(err)
		}
		err = nar.Restore(filepath.Join(dir, base), f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func testKey(t testing.TB, file string) *secretkey.Key {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(vectors, file))
	if err != nil {
		t.Fatal(err)
	}
	k, err := secretkey.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testKeys(t testing.TB) *sign.KeySet {
	return sign.NewNixKeySet(testKey(t, "secret.key").Public())
}

func info(t testing.TB, v vector) *sign.PathInfo {
	t.Helper()
	p, err := storepath.Parse("/nix/store", v.path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := hash.Parse(v.narHash)
	if err != nil {
		t.Fatal(err)
	}
	pi := &sign.PathInfo{Path: p, NarHash: h, NarSize: v.narSize}
	for _, r := range v.refs {
		rp, _ := storepath.Parse("/nix/store", r)
		pi.References = append(pi.References, rp)
	}
	return pi
}

// memStore is a Store in memory: path infos and NAR bytes.
type memStore struct {
	mu       sync.Mutex
	infos    map[string]*sign.PathInfo
	nars     map[string][]byte
	narErr   map[string]error
	sigErr   error
	readOnly bool
	adds     int
}

func newMemStore() *memStore {
	return &memStore{infos: map[string]*sign.PathInfo{}, nars: map[string][]byte{}, narErr: map[string]error{}}
}

// addVectors adds the vector paths, with their NARs.
func (m *memStore) addVectors(t testing.TB) *memStore {
	for _, v := range vecs {
		nb, err := os.ReadFile(filepath.Join(vectors, filepath.Base(v.path)+".nar"))
		if err != nil {
			t.Fatal(err)
		}
		m.infos[v.path] = info(t, v)
		m.nars[v.path] = nb
	}
	return m
}

func (m *memStore) String() string { return "mem" }
func (m *memStore) Dir() string    { return "/nix/store" }
func (m *memStore) Close() error   { return nil }

func (m *memStore) PathInfo(ctx context.Context, path string) (*sign.PathInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	pi, ok := m.infos[path]
	if !ok {
		return nil, &NotValidError{Path: path, Store: "mem"}
	}
	c := *pi
	c.Sigs = slices.Clone(pi.Sigs)
	c.References = slices.Clone(pi.References)
	return &c, nil
}

func (m *memStore) AddSignatures(ctx context.Context, path string, sigs []string) error {
	if m.readOnly {
		return ErrReadOnly
	}
	if m.sigErr != nil {
		return m.sigErr
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	pi, ok := m.infos[path]
	if !ok {
		return &NotValidError{Path: path, Store: "mem"}
	}
	m.adds += pi.AddSigs(sigs...)
	return nil
}

func (m *memStore) NAR(ctx context.Context, path string, w io.Writer) error {
	m.mu.Lock()
	b, ok := m.nars[path]
	err := m.narErr[path]
	m.mu.Unlock()
	if !ok {
		return fmt.Errorf("no NAR for %s", path)
	}
	if err != nil {
		w.Write(b[:len(b)/2])
		return err
	}
	_, err = io.Copy(w, bytes.NewReader(b))
	return err
}

func sigsOf(ss []Signed) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Sig)
	}
	return out
}

func joinLines(ss []string) string { return strings.Join(ss, "\n") }

func refsOf(pi *sign.PathInfo) []string {
	var out []string
	for _, r := range pi.References {
		out = append(out, r.Abs("/nix/store"))
	}
	return out
}
