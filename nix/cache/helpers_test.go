package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	nixhash "github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/narinfo"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

const vectors = "../../testdata/vectors/"

var ctx = context.Background()

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(vectors + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newCache creates a cache in a new temporary directory.
func newCache(t testing.TB) *Cache {
	t.Helper()
	c, err := Open("file://"+t.TempDir(), storepath.DefaultDir, true)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// vectorNarInfo parses a narinfo of the vectors.
func vectorNarInfo(t testing.TB, name string) *narinfo.NarInfo {
	t.Helper()
	ni, err := narinfo.Parse("", readVector(t, name), name)
	if err != nil {
		t.Fatal(err)
	}
	return ni
}

// entryOf is the Entry that gives ni back.
func entryOf(ni *narinfo.NarInfo) Entry {
	pi := pathInfo(ni)
	return Entry{Info: pi, Deriver: ni.Deriver, System: ni.System}
}

// narFile builds the NAR of a single regular file.
func narFile(t testing.TB, contents []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := nar.NewWriter(&b)
	if err := w.WriteHeader(&nar.Header{Path: "/", Type: nar.TypeRegular, Size: int64(len(contents))}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(contents); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// entryFor is an Entry for the NAR data under base name base.
func entryFor(t testing.TB, base string, data []byte, refs ...string) Entry {
	t.Helper()
	p, err := storepath.ParseBase(base)
	if err != nil {
		t.Fatal(err)
	}
	pi := &sign.PathInfo{Path: p, NarHash: nixhash.SHA256Sum(sha256.Sum256(data)), NarSize: uint64(len(data))}
	for _, r := range refs {
		rp, err := storepath.ParseBase(r)
		if err != nil {
			t.Fatal(err)
		}
		pi.References = append(pi.References, rp)
	}
	return Entry{Info: pi}
}

// listing returns every file under dir with its size, and the directories,
// for checking that a failure leaves nothing behind.
func listing(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out = append(out, rel+"/")
		} else {
			out = append(out, fmt.Sprintf("%s %d", rel, fi.Size()))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// noTemp fails if a temporary file was left in the cache.
func noTemp(t testing.TB, c *Cache) {
	t.Helper()
	for _, f := range listing(t, c.dir) {
		if strings.Contains(f, ".tmp") {
			t.Errorf("temporary file left behind: %s", f)
		}
	}
}

const (
	helloPath = "/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"
	helloNAR  = "z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.nar"
)

func parseNarInfo(text string) (*narinfo.NarInfo, error) {
	return narinfo.Parse("", []byte(text), "test.narinfo")
}
