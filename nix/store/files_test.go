package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The files store computes what Nix recorded for the vector paths: NAR
// hash, size and references, from the files alone; signing them gives
// Nix's signatures.
func TestFilesVectors(t *testing.T) {
	ctx := context.Background()
	s := NewFiles("/nix/store", vectorTree(t))
	key := testKey(t, "secret.key")
	for _, v := range vecs {
		t.Run(filepath.Base(v.path), func(t *testing.T) {
			got, err := s.PathInfo(ctx, v.path)
			if err != nil {
				t.Fatal(err)
			}
			if got.NarHash.String() != v.narHash || got.NarSize != v.narSize {
				t.Errorf("got %s %d, want %s %d", got.NarHash, got.NarSize, v.narHash, v.narSize)
			}
			if refs := refsOf(got); joinLines(refs) != joinLines(v.refs) {
				t.Errorf("references %q, want %q", refs, v.refs)
			}
			res, err := SignPaths(ctx, s, key, []string{v.path})
			if err != nil {
				t.Fatal(err)
			}
			if res[0].Sig != v.sig || res[0].Recorded || res[0].Added {
				t.Errorf("signed %+v, want %s, not recorded", res[0], v.sig)
			}
		})
	}
}

func TestFilesErrors(t *testing.T) {
	ctx := context.Background()
	dir := vectorTree(t)
	s := NewFiles("/nix/store", dir)
	_, err := s.PathInfo(ctx, "/nix/store/00000000000000000000000000000000-missing")
	var nv *NotValidError
	if !errors.As(err, &nv) {
		t.Errorf("missing path: %v, want a *NotValidError", err)
	}
	if _, err := s.PathInfo(ctx, "/elsewhere/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"); err == nil {
		t.Error("a path outside the store dir was accepted")
	}
	if err := s.AddSignatures(ctx, vecs[0].path, []string{"x:y"}); !errors.Is(err, ErrReadOnly) {
		t.Errorf("AddSignatures: %v, want ErrReadOnly", err)
	}
	// A file that cannot be read.
	if os.Geteuid() != 0 {
		p := filepath.Join(dir, "hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh")
		os.Chmod(p, 0)
		if _, err := NewFiles("/nix/store", dir).PathInfo(ctx, vecs[0].path); err == nil {
			t.Error("an unreadable file was hashed")
		}
	}
}
