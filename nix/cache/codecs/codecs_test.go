package codecs_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/nixsign/nixsign/nix/cache"
	_ "github.com/nixsign/nixsign/nix/cache/codecs"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/narinfo"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

const (
	vectors   = "../../../testdata/vectors/"
	helloPath = "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
)

// helloEntry returns the NAR of the hello.txt vector and its cache entry.
func helloEntry() ([]byte, cache.Entry) {
	nar, err := os.ReadFile(vectors + "z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.nar")
	if err != nil {
		log.Fatal(err)
	}
	p, _ := storepath.ParseBase("z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt")
	info := &sign.PathInfo{Path: p, NarHash: hash.SHA256Sum(sha256.Sum256(nar)), NarSize: uint64(len(nar))}
	return nar, cache.Entry{Info: info}
}

// With this package imported, Add writes zstd (and xz) and NAR reads it
// back.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "codecs-example-")
	defer os.RemoveAll(dir)
	c, err := cache.Open("file://"+dir, storepath.DefaultDir, true)
	if err != nil {
		log.Fatal(err)
	}
	nar, e := helloEntry()
	if err := c.Add(ctx, e, bytes.NewReader(nar), cache.Zstd); err != nil {
		log.Fatal(err)
	}
	ni, _ := c.NarInfo(ctx, helloPath)
	fmt.Println(ni.URL)
	fmt.Println(ni.Compression, ni.FileSize)
	var out bytes.Buffer
	if err := c.NAR(ctx, helloPath, &out); err != nil {
		log.Fatal(err)
	}
	fmt.Println(bytes.Equal(out.Bytes(), nar))
	// Output:
	// nar/0v2n8zh6r1ll4wb7v1mhaqq7wgwcb1np53l0d2salngvcwfr6hk3.nar.zst
	// zstd 97
	// true
}

// TestRegistered reads the hello.txt vector's NAR in every compression the
// package provides.
func TestRegistered(t *testing.T) {
	ctx := context.Background()
	nar, e := helloEntry()
	bz, err := os.ReadFile("../testdata/hello.txt.nar.bz2")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(nar)
	zw.Close()
	for _, method := range []string{"zstd", "xz", "bzip2", "gzip"} {
		t.Run(method, func(t *testing.T) {
			dir := t.TempDir()
			c, err := cache.Open("file://"+dir, storepath.DefaultDir, true)
			if err != nil {
				t.Fatal(err)
			}
			switch method {
			case "zstd", "xz":
				if err := c.Add(ctx, e, bytes.NewReader(nar), cache.Compression(method)); err != nil {
					t.Fatal(err)
				}
			default:
				file := map[string][]byte{"bzip2": bz, "gzip": gz.Bytes()}[method]
				putNAR(t, dir, method, file)
			}
			var out bytes.Buffer
			if err := c.NAR(ctx, helloPath, &out); err != nil || !bytes.Equal(out.Bytes(), nar) {
				t.Errorf("NAR: %v; got %d bytes, want %d", err, out.Len(), len(nar))
			}
		})
	}
}

// putNAR writes file, compressed with method, as the NAR file of the
// hello.txt vector in the cache dir, with its narinfo.
func putNAR(t *testing.T, dir, method string, file []byte) {
	text, err := os.ReadFile(vectors + "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
	if err != nil {
		t.Fatal(err)
	}
	ni, err := narinfo.Parse("", text, "hello.narinfo")
	if err != nil {
		t.Fatal(err)
	}
	ni.Compression = method
	ni.FileHash = hash.SHA256Sum(sha256.Sum256(file))
	ni.FileSize = uint64(len(file))
	ni.URL = "nar/" + ni.FileHash.Nix32() + ".nar"
	if err := os.WriteFile(filepath.Join(dir, ni.URL), file, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"), []byte(ni.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
