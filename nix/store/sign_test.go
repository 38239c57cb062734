package store

import (
	"context"
	"errors"
	"slices"
	"testing"
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
	m.sigErr = &privError{err: errors.New("nix-daemon: you are not privileged to add signatures")}
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
