package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/nixsign/nixsign/nix/nixbase32"
	"github.com/nixsign/nixsign/sign"
)

func TestSignPaths(t *testing.T) {
	ctx := context.Background()
	m := newMemStore().addVectors(t)
	key := testKey(t, "secret.key")
	var paths []string
	for _, v := range vecs {
		paths = append(paths, v.path)
	}
	res, err := SignPaths(ctx, m, key, paths)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res {
		if r.Sig != vecs[i].sig || !r.Added || !r.Recorded || !slices.Contains(r.Info.Sigs, r.Sig) {
			t.Errorf("%s: %+v, want the vector signature, added and recorded", vecs[i].path, r)
		}
		if got := m.infos[vecs[i].path].Sigs; !slices.Equal(got, []string{vecs[i].sig}) {
			t.Errorf("%s: store has %q", vecs[i].path, got)
		}
	}
	// Again: the same signatures, nothing added.
	res, err = SignPaths(ctx, m, key, paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Added || !r.Recorded {
			t.Errorf("second signing: %+v", r)
		}
	}
	if m.adds != len(vecs) {
		t.Errorf("store took %d signatures, want %d", m.adds, len(vecs))
	}
	// A second key adds a second signature, keeping the first.
	res, err = SignPaths(ctx, m, testKey(t, "secret2.key"), paths[:1])
	if err != nil || !res[0].Added || len(m.infos[paths[0]].Sigs) != 2 {
		t.Errorf("second key: %+v %v, store %q", res, err, m.infos[paths[0]].Sigs)
	}
}

func TestSignPathsErrors(t *testing.T) {
	ctx := context.Background()
	key := testKey(t, "secret.key")
	// An invalid path: nothing is signed.
	m := newMemStore().addVectors(t)
	_, err := SignPaths(ctx, m, key, []string{vecs[0].path, "/nix/store/00000000000000000000000000000000-x"})
	var nv *NotValidError
	if !errors.As(err, &nv) || m.adds != 0 {
		t.Errorf("invalid path: %v, %d added", err, m.adds)
	}
	// A store that refuses: the error, nothing counted as added.
	m = newMemStore().addVectors(t)
	m.sigErr = &NotPrivilegedError{Store: "daemon", Err: errors.New("nix-daemon: you are not privileged to add signatures")}
	res, err := SignPaths(ctx, m, key, []string{vecs[0].path, vecs[1].path})
	if !errors.Is(err, ErrNotPrivileged) || len(res) != 2 || res[0].Added || res[1].Added {
		t.Errorf("refused: %+v %v", res, err)
	}
	// A read-only store: signatures returned, not recorded, no error.
	m = newMemStore().addVectors(t)
	m.readOnly = true
	res, err = SignPaths(ctx, m, key, []string{vecs[0].path})
	if err != nil || res[0].Recorded || res[0].Added || res[0].Sig != vecs[0].sig {
		t.Errorf("read-only: %+v %v", res, err)
	}
	// A path with no known size cannot be signed (Nix: "its size is not known").
	m = newMemStore().addVectors(t)
	m.infos[vecs[0].path].NarSize = 0
	if _, err := SignPaths(ctx, m, key, []string{vecs[0].path}); err == nil {
		t.Error("a path of unknown size was signed")
	}
}

// failStore refuses signatures for one path.
type failStore struct {
	*memStore
	bad string
}

func (f failStore) AddSignatures(ctx context.Context, path string, sigs []string) error {
	if path == f.bad {
		return errors.New("refused")
	}
	return f.memStore.AddSignatures(ctx, path, sigs)
}

// manyInfos adds n made-up paths to m and returns their infos.
func manyInfos(t testing.TB, m *memStore, n int) []*sign.PathInfo {
	base := info(t, vecs[0])
	var infos []*sign.PathInfo
	for i := range n {
		pi := *base
		d := sha256.Sum256(fmt.Appendf(nil, "%d", i))
		pi.Path.Digest = nixbase32.EncodeToString(d[:20])
		pi.NarSize = uint64(100 + i)
		m.infos[pi.Path.Abs("/nix/store")] = &pi
		c := pi
		infos = append(infos, &c)
	}
	return infos
}

// Signatures go to the store in batches as they are made; an error stops
// the run, and only the signatures the store took count as added.
func TestSignInfosBatches(t *testing.T) {
	ctx := context.Background()
	key := testKey(t, "secret.key")
	const n, bad = 300, 100 // bad is in the second batch
	m := newMemStore()
	infos := manyInfos(t, m, n)
	res, err := SignInfos(ctx, failStore{m, infos[bad].Path.Abs("/nix/store")}, key, infos)
	if err == nil || err.Error() != "refused" || len(res) != n {
		t.Fatalf("SignInfos: %d results, %v", len(res), err)
	}
	added := 0
	for i, r := range res {
		fp, _ := infos[i].Fingerprint("/nix/store")
		if r.Sig != key.Sign(fp).String() || !slices.Contains(r.Info.Sigs, r.Sig) {
			t.Errorf("%d: signature %s", i, r.Sig)
		}
		// Added says whether the store took it: all before the refused
		// one did; after it, those sent in the same batch.
		took := slices.Contains(m.infos[infos[i].Path.Abs("/nix/store")].Sigs, r.Sig)
		if r.Added != took || i < bad && !took || i == bad && took {
			t.Errorf("%d: added %v, the store took it: %v", i, r.Added, took)
		}
		if r.Added {
			added++
		}
	}
	if added != m.adds {
		t.Errorf("added %d, the store took %d", added, m.adds)
	}
}

func BenchmarkSignPaths(b *testing.B) {
	ctx := context.Background()
	key := testKey(b, "secret.key")
	m := newMemStore().addVectors(b)
	m.readOnly = true
	var paths []string
	for _, v := range vecs {
		paths = append(paths, v.path)
	}
	for b.Loop() {
		if _, err := SignPaths(ctx, m, key, paths); err != nil {
			b.Fatal(err)
		}
	}
}
