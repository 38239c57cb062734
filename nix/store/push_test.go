package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/cache"
)

const dev = "/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"

func openCache(t *testing.T) (*cache.Cache, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := cache.Open("file://"+dir, "/nix/store", true)
	if err != nil {
		t.Fatal(err)
	}
	return c, dir
}

func TestPush(t *testing.T) {
	ctx := context.Background()
	for _, comp := range []cache.Compression{cache.Zstd, cache.XZ, cache.None} {
		t.Run(string(comp), func(t *testing.T) {
			src := NewFiles("/nix/store", vectorTree(t))
			dst, _ := openCache(t)
			var last PushProgress
			res, err := Push(ctx, src, dst, testKey(t, "secret.key"), []string{dev}, PushOptions{
				Compression: comp,
				Progress:    func(p PushProgress) { last = p },
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Pushed) != 4 || len(res.Skipped) != 0 || res.Bytes != 168+128+168+224 {
				t.Errorf("result %+v", res)
			}
			if last.Done != 4 || last.Total != 4 || last.Bytes != res.Bytes || last.TotalBytes != res.Bytes {
				t.Errorf("last progress %+v", last)
			}
			// Each narinfo carries Nix's signature and its NAR checks out.
			for _, v := range vecs {
				if v.path == "/nix/store/qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree" {
					continue
				}
				ni, err := dst.NarInfo(ctx, v.path)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ni.Sigs, []string{v.sig}) || ni.Compression != string(comp) {
					t.Errorf("%s: sigs %q, compression %s", v.path, ni.Sigs, ni.Compression)
				}
				if err := dst.NAR(ctx, v.path, discard{}); err != nil {
					t.Errorf("%s: %v", v.path, err)
				}
			}
			// References were committed first.
			pos := map[string]int{}
			for i, p := range res.Pushed {
				pos[p] = i
			}
			for _, v := range vecs {
				for _, r := range v.refs {
					if p, ok := pos[v.path]; ok && pos[r] > p {
						t.Errorf("%s was pushed before its reference %s", v.path, r)
					}
				}
			}
			// Again: everything is there.
			res, err = Push(ctx, src, dst, testKey(t, "secret.key"), []string{dev}, PushOptions{Compression: comp})
			if err != nil || len(res.Pushed) != 0 || len(res.Skipped) != 4 {
				t.Errorf("second push: %+v %v", res, err)
			}
		})
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// The signatures the source has are kept; the source is not changed.
func TestPushKeepsSignatures(t *testing.T) {
	ctx := context.Background()
	src := newMemStore().addVectors(t)
	hello := "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
	src.infos[hello].Sigs = []string{"other-1:c2lnbmF0dXJl"}
	dst, _ := openCache(t)
	if _, err := Push(ctx, src, dst, testKey(t, "secret.key"), []string{hello}, PushOptions{}); err != nil {
		t.Fatal(err)
	}
	ni, err := dst.NarInfo(ctx, hello)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"other-1:c2lnbmF0dXJl", vecs[2].sig}
	if !slices.Equal(ni.Sigs, want) {
		t.Errorf("sigs %q, want %q", ni.Sigs, want)
	}
	if src.adds != 0 || len(src.infos[hello].Sigs) != 1 {
		t.Errorf("the source store changed: %q", src.infos[hello].Sigs)
	}
}

// A NAR that fails half-way stops the push: no narinfo for it or for the
// paths that refer to it, and no temporary files.
func TestPushFailure(t *testing.T) {
	ctx := context.Background()
	src := newMemStore().addVectors(t)
	sigtestA := "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"
	src.narErr[sigtestA] = errors.New("read error")
	dst, dir := openCache(t)
	res, err := Push(ctx, src, dst, testKey(t, "secret.key"), []string{dev}, PushOptions{Workers: 2})
	if err == nil || !strings.Contains(err.Error(), "read error") {
		t.Fatalf("push: %v", err)
	}
	for _, p := range []string{sigtestA, dev} {
		if has, _ := dst.Has(ctx, p); has {
			t.Errorf("%s is in the cache", p)
		}
		if slices.Contains(res.Pushed, p) {
			t.Errorf("%s reported as pushed", p)
		}
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "nar"))
	for _, e := range ents {
		if !strings.Contains(e.Name(), ".nar") || strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: nar/%s", e.Name())
		}
	}
	// A path the source does not have.
	if _, err := Push(ctx, src, dst, nil, []string{"/nix/store/00000000000000000000000000000000-x"}, PushOptions{}); err == nil {
		t.Error("pushed a path the store lacks")
	}
}

// A canceled push stops.
func TestPushCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dst, _ := openCache(t)
	if _, err := Push(ctx, newMemStore().addVectors(t), dst, nil, []string{dev}, PushOptions{}); err == nil {
		t.Error("a canceled push succeeded")
	}
}
