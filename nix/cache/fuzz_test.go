package cache

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	nixhash "github.com/nixsign/nixsign/nix/hash"
)

// FuzzNarInfo reads arbitrary narinfo files through the cache: no panics,
// a clean error or a record that describes the path asked for and that
// AddSignatures writes back in Nix's form.
func FuzzNarInfo(f *testing.F) {
	for _, name := range []string{"z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo", "l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo", "two-sigs.narinfo"} {
		data := readVector(f, name)
		// Move the record to the hash part the fuzz function looks up.
		ni, _ := parseNarInfo(string(data))
		f.Add(bytes.ReplaceAll(data, []byte(ni.StorePath.Base()), []byte("z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt")))
	}
	f.Add([]byte("StorePath: /nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt\nURL: ../x\nNarHash: sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil\nNarSize: 1\n"))
	c := newCache(f)
	name := filepath.Join(c.dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
	noSync(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		pi, err := c.PathInfo(ctx, helloPath)
		if err != nil {
			if pi != nil {
				t.Fatalf("PathInfo returned %v with error %v", pi, err)
			}
			return
		}
		if pi.Path.Abs(c.storeDir) != helloPath || pi.NarSize == 0 {
			t.Fatalf("PathInfo = %+v", pi)
		}
		paths, err := c.Paths(ctx)
		if err != nil || !slices.Equal(paths, []string{helloPath}) {
			t.Fatalf("Paths = %q, %v", paths, err)
		}
		ni, err := c.NarInfo(ctx, helloPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddSignatures(ctx, helloPath, []string{"fuzz:sig"}); err != nil {
			t.Fatal(err)
		}
		pi2, err := c.PathInfo(ctx, helloPath)
		if err != nil {
			t.Fatalf("narinfo rewritten by AddSignatures does not parse: %v", err)
		}
		if !slices.Contains(pi2.Sigs, "fuzz:sig") || len(pi2.Sigs) > len(pi.Sigs)+1 || !pi2.NarHash.Equal(ni.NarHash) {
			t.Fatalf("after AddSignatures: %+v, before %+v", pi2, pi)
		}
		c.NAR(ctx, helloPath, discard{}) // a URL of the fuzzed narinfo: no panic
	})
}

// FuzzNAR decompresses arbitrary NAR files, each named by a narinfo that
// describes it (so the file checks pass and the decompressor runs): no
// panic, no hang, and success only for the real NAR.
func FuzzNAR(f *testing.F) {
	nar := readVector(f, helloNAR)
	c := newCache(f)
	for _, comp := range compressions {
		e := entryOf(vectorNarInfo(f, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"))
		if err := c.Add(ctx, e, bytes.NewReader(nar), comp); err != nil {
			f.Fatal(err)
		}
		ni, _ := c.NarInfo(ctx, helloPath)
		data, _ := os.ReadFile(filepath.Join(c.dir, ni.URL))
		f.Add(uint8(slices.Index(methods, string(comp))), data)
	}
	bz, _ := os.ReadFile("testdata/hello.txt.nar.bz2")
	f.Add(uint8(3), bz)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(nar)
	zw.Close()
	f.Add(uint8(4), gz.Bytes())

	name := filepath.Join(c.dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
	want, _ := c.NarInfo(ctx, helloPath)
	f.Fuzz(func(t *testing.T, method uint8, file []byte) {
		ni := *want
		ni.Compression = methods[int(method)%len(methods)]
		ni.FileHash = nixhash.SHA256Sum(sha256.Sum256(file))
		ni.FileSize = uint64(len(file))
		ni.URL = "nar/fuzz"
		os.WriteFile(filepath.Join(c.dir, ni.URL), file, 0o644)
		os.WriteFile(name, []byte(ni.String()), 0o644)
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		var out bytes.Buffer
		err := c.NAR(tctx, helloPath, &out)
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("NAR took over 10 s on a %d-byte %s file", len(file), ni.Compression)
		}
		if out.Len() > len(nar)+1 {
			t.Fatalf("NAR wrote %d bytes, more than NarSize+1", out.Len())
		}
		if err == nil && !bytes.Equal(out.Bytes(), nar) {
			t.Fatalf("NAR succeeded with the wrong NAR")
		}
	})
}

var methods = []string{"none", "zstd", "xz", "bzip2", "gzip"}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// noSync turns off syncing files for the rest of the test: fuzzing runs
// thousands of writes a second.
func noSync(t testing.TB) {
	syncFiles = false
	t.Cleanup(func() { syncFiles = true })
}
