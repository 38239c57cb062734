package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/storepath"
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
