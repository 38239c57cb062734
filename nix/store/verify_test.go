package store

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

func TestVerify(t *testing.T) {
	ctx := context.Background()
	keys := testKeys(t)
	hello := "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
	tree := "/nix/store/qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree"
	runsh := "/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"
	missing := "/nix/store/00000000000000000000000000000000-missing"
	setup := func() *memStore {
		m := newMemStore().addVectors(t)
		for _, v := range vecs {
			m.infos[v.path].Sigs = []string{v.sig}
		}
		return m
	}
	type want struct {
		code int
		msgs string
	}
	for _, tt := range []struct {
		name  string
		opts  VerifyOptions
		prep  func(m *memStore)
		paths []string
		want  []want
	}{
		{"good", VerifyOptions{Keys: keys, SigsNeeded: 1}, nil, []string{hello, tree}, []want{{0, ""}, {0, ""}}},
		{"no keys", VerifyOptions{SigsNeeded: 1}, nil, []string{hello}, []want{{2, "path '" + hello + "' is untrusted"}}},
		{"two needed", VerifyOptions{Keys: keys, SigsNeeded: 2}, nil, []string{hello}, []want{{2, "path '" + hello + "' is untrusted"}}},
		{"ultimate, n=0", VerifyOptions{}, func(m *memStore) { m.infos[hello].Ultimate = true; m.infos[hello].Sigs = nil }, []string{hello}, []want{{0, ""}}},
		{"ultimate, n=1", VerifyOptions{SigsNeeded: 1}, func(m *memStore) { m.infos[hello].Ultimate = true; m.infos[hello].Sigs = nil }, []string{hello}, []want{{2, "path '" + hello + "' is untrusted"}}},
		{"content-addressed", VerifyOptions{SigsNeeded: 1}, func(m *memStore) {
			// hello.txt is what nix-store --add makes of the file: its CA gives its path back.
			pi := m.infos[hello]
			pi.Sigs = nil
			pi.CA = storepath.CA{Method: "fixed:r", Hash: pi.NarHash}
		}, []string{hello}, []want{{0, ""}}},
		{"false CA claim", VerifyOptions{SigsNeeded: 1}, func(m *memStore) {
			pi := m.infos[tree]
			pi.Sigs = nil
			pi.CA = storepath.CA{Method: "fixed:r", Hash: m.infos[hello].NarHash}
		}, []string{tree}, []want{{2, "untrusted"}}},
		{"corrupted", VerifyOptions{Keys: keys, SigsNeeded: 1}, func(m *memStore) {
			b := append([]byte(nil), m.nars[hello]...)
			b[100] ^= 1
			m.nars[hello] = b
		}, []string{hello}, []want{{1, "path '" + hello + "' was modified! expected hash 'sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil', got 'sha256:"}}},
		{"corrupted, no contents", VerifyOptions{Keys: keys, SigsNeeded: 1, NoContents: true}, func(m *memStore) { m.nars[hello] = []byte("x") }, []string{hello}, []want{{0, ""}}},
		{"corrupted and untrusted", VerifyOptions{SigsNeeded: 1}, func(m *memStore) { m.nars[hello] = []byte("x") }, []string{hello}, []want{{3, "was modified"}}},
		{"NAR fails", VerifyOptions{Keys: keys, SigsNeeded: 1}, func(m *memStore) { m.narErr[hello] = errors.New("disk on fire") }, []string{hello}, []want{{4, "disk on fire"}}},
		{"not valid", VerifyOptions{Keys: keys, SigsNeeded: 1}, nil, []string{missing, runsh}, []want{{4, "path '" + missing + "' is not valid"}, {0, ""}}},
		{"malformed signature", VerifyOptions{Keys: keys, SigsNeeded: 1}, func(m *memStore) { m.infos[hello].Sigs = []string{"test-key-1:AAAA"} }, []string{hello}, []want{{4, "not valid"}}},
		{"no trust check", VerifyOptions{NoTrust: true}, nil, []string{hello}, []want{{0, ""}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := setup()
			if tt.prep != nil {
				tt.prep(m)
			}
			calls := 0
			tt.opts.Progress = func(done int, bytes int64) { calls++ }
			res := Verify(ctx, m, tt.paths, tt.opts)
			if calls != len(tt.paths) {
				t.Errorf("progress called %d times", calls)
			}
			for i, w := range tt.want {
				v := res[i]
				msgs := strings.Join(v.Messages(), "\n")
				if v.Code() != w.code || (w.msgs == "") != (msgs == "") || !strings.Contains(msgs, w.msgs) {
					t.Errorf("%s: code %d, messages %q; want %d, %q", v.Path, v.Code(), msgs, w.code, w.msgs)
				}
			}
		})
	}
}

// The files store's contents are not hashed twice: its info comes from them.
func TestVerifyFiles(t *testing.T) {
	s := NewFiles("/nix/store", vectorTree(t))
	var bytes int64
	res := Verify(context.Background(), s, []string{vecs[0].path}, VerifyOptions{SigsNeeded: 1, Progress: func(_ int, b int64) { bytes = b }})
	if res[0].Code() != ExitUntrusted || bytes != 0 {
		t.Errorf("code %d, %d bytes hashed", res[0].Code(), bytes)
	}
}

func BenchmarkVerify(b *testing.B) {
	ctx := context.Background()
	m := newMemStore().addVectors(b)
	var paths []string
	for _, v := range vecs {
		m.infos[v.path].Sigs = []string{v.sig}
		paths = append(paths, v.path)
	}
	opts := VerifyOptions{Keys: testKeys(b), SigsNeeded: 1}
	for b.Loop() {
		for _, v := range Verify(ctx, m, paths, opts) {
			if v.Code() != 0 {
				b.Fatal(v.Messages())
			}
		}
	}
}

// subStore is a substituter for Verify: a memStore under another name that
// counts the questions it is asked, or fails them all with err.
type subStore struct {
	*memStore
	name  string
	err   error
	asked atomic.Int64
}

func (s *subStore) String() string { return s.name }

func (s *subStore) PathInfo(ctx context.Context, path string) (*sign.PathInfo, error) {
	s.asked.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	return s.memStore.PathInfo(ctx, path)
}

// TestVerifySubstituters: the signatures substituters hold for a path count
// when its own are not enough, as with nix store verify -s.
func TestVerifySubstituters(t *testing.T) {
	ctx := context.Background()
	keys := testKeys(t)
	local := newMemStore().addVectors(t) // unsigned
	cache := &subStore{memStore: newMemStore().addVectors(t), name: "file:///cache"}
	var paths []string
	for _, v := range vecs {
		cache.infos[v.path].Sigs = []string{v.sig}
		paths = append(paths, v.path)
	}
	empty := &subStore{memStore: newMemStore(), name: "file:///empty"}
	down := &subStore{memStore: newMemStore(), name: "ssh-ng://down", err: &UnavailableError{Store: "ssh-ng", Err: errors.New("cannot connect")}}

	for _, tt := range []struct {
		name  string
		n     int
		subs  []*subStore
		code  int
		asked []int64 // of each of subs: the total for one listed twice
		errs  int     // OtherErrs per path
	}{
		{"none", 1, nil, ExitUntrusted, nil, 0},
		{"cache", 1, []*subStore{cache}, 0, []int64{5}, 0},
		{"empty, then cache", 1, []*subStore{empty, cache}, 0, []int64{5, 5}, 0},
		{"cache, then empty", 1, []*subStore{cache, empty}, 0, []int64{5, 0}, 0},
		{"down, then cache", 1, []*subStore{down, cache}, 0, []int64{5, 5}, 1},
		{"down alone", 1, []*subStore{down}, ExitUntrusted, []int64{5}, 1},
		{"two needed", 2, []*subStore{cache, empty, cache}, ExitUntrusted, []int64{10, 5, 10}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var subs []Store
			for _, s := range tt.subs {
				s.asked.Store(0)
				subs = append(subs, s)
			}
			res := Verify(ctx, local, paths, VerifyOptions{Keys: keys, SigsNeeded: tt.n, Substituters: subs, Workers: 3})
			for _, v := range res {
				if v.Code() != tt.code || len(v.Trust.Count.OtherErrs) != tt.errs {
					t.Errorf("%s: code %d, %v, OtherErrs %v; want %d", v.Path, v.Code(), v.Messages(), v.Trust.Count.OtherErrs, tt.code)
				}
				if tt.code == 0 && !strings.Contains(v.Trust.Reason, "it comes from file:///cache") {
					t.Errorf("%s: reason %q", v.Path, v.Trust.Reason)
				}
			}
			for i, s := range tt.subs {
				if got := s.asked.Load(); got != tt.asked[i] {
					t.Errorf("%s asked %d times, want %d", s.name, got, tt.asked[i])
				}
			}
		})
	}
	if res := Verify(ctx, local, paths[:1], VerifyOptions{Keys: keys, SigsNeeded: 1, Substituters: []Store{down}}); !strings.Contains(res[0].Trust.Count.OtherErrs[0].Error(), "ssh-ng://down: cannot connect") {
		t.Errorf("OtherErrs = %v", res[0].Trust.Count.OtherErrs)
	}
}

// TestVerifySubstitutersUnasked: a path built here (with -n 0) and a
// content-addressed path need no substituter; --no-trust asks none.
func TestVerifySubstitutersUnasked(t *testing.T) {
	ctx := context.Background()
	local := newMemStore().addVectors(t)
	hello := "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
	pi := local.infos[hello]
	pi.CA = storepath.CA{Method: "fixed:r", Hash: pi.NarHash}
	tree := "/nix/store/qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree"
	local.infos[tree].Ultimate = true
	sub := &subStore{memStore: newMemStore(), name: "s", err: errors.New("asked")}
	for _, tt := range []struct {
		path string
		opts VerifyOptions
	}{
		{hello, VerifyOptions{SigsNeeded: 3}},
		{tree, VerifyOptions{}},
		{tree, VerifyOptions{SigsNeeded: 1, NoTrust: true}},
	} {
		tt.opts.Substituters = []Store{sub}
		if res := Verify(ctx, local, []string{tt.path}, tt.opts); res[0].Code() != 0 {
			t.Errorf("%s: %v", tt.path, res[0].Messages())
		}
	}
	if n := sub.asked.Load(); n != 0 {
		t.Errorf("substituter asked %d times", n)
	}
}
