package cache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/nixsign/nixsign/nix/nixbase32"
	"github.com/nixsign/nixsign/nix/storepath"
)

var compressions = []Compression{None, Zstd, XZ}

// addVectors adds the four paths of the vectors that have a narinfo or a
// signature, references first.
func addVectors(t testing.TB, c *Cache, comp Compression) {
	t.Helper()
	run := entryFor(t, "hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh", readVector(t, "hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh.nar"))
	run.Info.CA, _ = storepath.ParseCA("fixed:r:" + run.Info.NarHash.String())
	run.Info.Sigs = []string{"test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw=="}
	for _, v := range []struct {
		e   Entry
		nar string
	}{
		{entryOf(vectorNarInfo(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")), helloNAR},
		{run, "hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh.nar"},
		{entryOf(vectorNarInfo(t, "two-sigs.narinfo")), "qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a.nar"},
		{entryOf(vectorNarInfo(t, "l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo")), "l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev.nar"},
	} {
		if err := c.Add(ctx, v.e, bytes.NewReader(readVector(t, v.nar)), comp); err != nil {
			t.Fatal(err)
		}
	}
}

// withoutFile drops the lines that depend on the compressed bytes.
func withoutFile(narinfo string) string {
	var keep []string
	for l := range strings.Lines(narinfo) {
		if !strings.HasPrefix(l, "URL: ") && !strings.HasPrefix(l, "FileHash: ") &&
			!strings.HasPrefix(l, "FileSize: ") && !strings.HasPrefix(l, "Compression: ") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "")
}

// TestAddVectors adds the vectors' paths and compares the narinfo files with
// the ones `nix copy` wrote, and the NARs read back with the originals.
func TestAddVectors(t *testing.T) {
	for _, comp := range compressions {
		t.Run(string(comp), func(t *testing.T) {
			c := newCache(t)
			addVectors(t, c, comp)
			for _, v := range []struct{ narinfo, file, nar string }{
				{"z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo", "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo", helloNAR},
				{"two-sigs.narinfo", "qyg4k09x25qhai8v5zk0idkmv8mq4wwl.narinfo", "qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a.nar"},
				{"l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo", "l5jifip347hnkb691a1ks3v6ig2vm67z.narinfo", "l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev.nar"},
			} {
				got, err := os.ReadFile(filepath.Join(c.dir, v.file))
				if err != nil {
					t.Fatal(err)
				}
				want := readVector(t, v.narinfo)
				if comp == None && v.narinfo == "two-sigs.narinfo" && string(got) != string(want) {
					t.Errorf("%s:\n%s\nwant (nix copy)\n%s", v.file, got, want)
				}
				if withoutFile(string(got)) != withoutFile(string(want)) {
					t.Errorf("%s:\n%s\nwant, but for URL, Compression, FileHash and FileSize (nix copy)\n%s", v.file, got, want)
				}
				checkNarFile(t, c, string(got), comp)
				var out bytes.Buffer
				ni := vectorNarInfo(t, v.narinfo)
				if err := c.NAR(ctx, ni.Path(), &out); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), readVector(t, v.nar)) {
					t.Errorf("NAR of %s differs from %s", ni.Path(), v.nar)
				}
			}
			noTemp(t, c)
		})
	}
}

// checkNarFile checks the URL, FileHash and FileSize of a narinfo we wrote.
func checkNarFile(t *testing.T, c *Cache, text string, comp Compression) {
	t.Helper()
	ni, err := parseNarInfo(text)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(c.dir, ni.URL))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	wantURL := "nar/" + nixbase32.EncodeToString(sum[:]) + ".nar" + map[Compression]string{None: "", Zstd: ".zst", XZ: ".xz"}[comp]
	if ni.URL != wantURL || ni.Compression != string(comp) || !bytes.Equal(ni.FileHash.Digest, sum[:]) || ni.FileSize != uint64(len(data)) {
		t.Errorf("narinfo %s says URL %s, Compression %s, FileHash %s, FileSize %d; file %s has %d bytes",
			ni.Path(), ni.URL, ni.Compression, ni.FileHash, ni.FileSize, wantURL, len(data))
	}
	if comp == None && (!ni.FileHash.Equal(ni.NarHash) || ni.FileSize != ni.NarSize) {
		t.Errorf("compression none: FileHash/FileSize %s %d, want the NAR's %s %d", ni.FileHash, ni.FileSize, ni.NarHash, ni.NarSize)
	}
	fi, _ := os.Stat(filepath.Join(c.dir, ni.URL))
	if fi.Mode().Perm()&0o444 != 0o444 {
		t.Errorf("NAR file mode %v, want readable by all (0666 less the umask, as Nix)", fi.Mode())
	}
}

func TestAddRefused(t *testing.T) {
	data := narFile(t, []byte("contents\n"))
	good := func() Entry { return entryFor(t, "00000000000000000000000000000000-x", data) }
	for _, tc := range []struct {
		name string
		edit func(*Entry)
		nar  []byte
		comp Compression
		err  string
	}{
		{"hash", func(e *Entry) { e.Info.NarHash.Digest = make([]byte, 32) }, data, Zstd, "has hash 'sha256:"},
		{"size", func(e *Entry) { e.Info.NarSize++ }, data, XZ, "has size 128, but its path info says 129; nothing written"},
		{"short", nil, data[:len(data)-8], None, "NAR of /nix/store/00000000000000000000000000000000-x: nar: offset"},
		{"trailing", nil, append(slices.Clone(data), make([]byte, 8)...), Zstd, "is longer than its path info says (128 bytes); nothing written"},
		{"size too small", func(e *Entry) { e.Info.NarSize-- }, data, None, "is longer than its path info says (127 bytes)"},
		{"garbage", nil, []byte("not a NAR"), XZ, "NAR of /nix/store/00000000000000000000000000000000-x: nar:"},
		{"no size", func(e *Entry) { e.Info.NarSize = 0 }, data, Zstd, "NAR size unknown"},
		{"sha1", func(e *Entry) { e.Info.NarHash.Algo = 2 }, data, Zstd, "is not a SHA-256 hash"},
		{"sig", func(e *Entry) { e.Info.Sigs = []string{"k:x\nCA: y"} }, data, Zstd, "invalid signature"},
		{"system", func(e *Entry) { e.System = "x\n" }, data, Zstd, "invalid system"},
		{"deriver", func(e *Entry) { e.Deriver = "/nix/store/abc.drv" }, data, Zstd, "deriver"},
		{"reference", func(e *Entry) {
			e.Info.References = append(e.Info.References, storepath.Path{Digest: "11111111111111111111111111111111", Name: "y"})
		}, data, Zstd, "because the reference '/nix/store/11111111111111111111111111111111-y' is not valid"},
		{"compression", nil, data, "gzip", `unknown compression "gzip" (choose zstd, xz or none)`},
		{"no compression", nil, data, "", `unknown compression ""`},
		{"path", func(e *Entry) { e.Info.Path.Name = "a/b" }, data, Zstd, "a/b"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			before := listing(t, c.dir)
			e := good()
			if tc.edit != nil {
				tc.edit(&e)
			}
			err := c.Add(ctx, e, bytes.NewReader(tc.nar), tc.comp)
			if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want %q", err, tc.err)
			}
			if after := listing(t, c.dir); !slices.Equal(before, after) {
				t.Errorf("failed Add left %q", after)
			}
		})
	}
	if err := (&Cache{}).Add(ctx, Entry{}, nil, Zstd); err == nil {
		t.Error("Add without path info succeeded")
	}
}

// TestAddEndless feeds Add a source that never ends: it stops after
// NarSize bytes.
func TestAddEndless(t *testing.T) {
	c := newCache(t)
	data := narFile(t, []byte("x"))
	for _, comp := range compressions {
		src := io.MultiReader(bytes.NewReader(data[:len(data)-16]), endless{})
		err := c.Add(ctx, entryFor(t, "00000000000000000000000000000000-x", data), src, comp)
		if err == nil || !strings.Contains(err.Error(), "is longer than its path info says") {
			t.Errorf("%s: %v", comp, err)
		}
	}
	noTemp(t, c)
}

type endless struct{}

func (endless) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestAddCanceled(t *testing.T) {
	c := newCache(t)
	data := narFile(t, bytes.Repeat([]byte("x"), 1<<20))
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	before := listing(t, c.dir)
	for _, comp := range compressions {
		if err := c.Add(cctx, entryFor(t, "00000000000000000000000000000000-x", data), bytes.NewReader(data), comp); !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v", comp, err)
		}
	}
	if after := listing(t, c.dir); !slices.Equal(before, after) {
		t.Errorf("canceled Add left %q", after)
	}
}

// TestAddSameNAR adds two paths with the same contents: they share the NAR
// file, which is not rewritten.
func TestAddSameNAR(t *testing.T) {
	c := newCache(t)
	data := narFile(t, []byte("same\n"))
	a, b := entryFor(t, "00000000000000000000000000000000-a", data), entryFor(t, "11111111111111111111111111111111-b", data)
	if err := c.Add(ctx, a, bytes.NewReader(data), Zstd); err != nil {
		t.Fatal(err)
	}
	nia, _ := c.NarInfo(ctx, "/nix/store/00000000000000000000000000000000-a")
	fi, _ := os.Stat(filepath.Join(c.dir, nia.URL))
	if err := c.Add(ctx, b, bytes.NewReader(data), Zstd); err != nil {
		t.Fatal(err)
	}
	nib, _ := c.NarInfo(ctx, "/nix/store/11111111111111111111111111111111-b")
	fi2, _ := os.Stat(filepath.Join(c.dir, nib.URL))
	if nia.URL != nib.URL || !os.SameFile(fi, fi2) {
		t.Errorf("second Add rewrote the NAR file %s (%s)", nia.URL, nib.URL)
	}
	// Adding a path again replaces its narinfo, here with a signature.
	a.Info.Sigs = []string{"k:sig"}
	if err := c.Add(ctx, a, bytes.NewReader(data), Zstd); err != nil {
		t.Fatal(err)
	}
	if pi, _ := c.PathInfo(ctx, "/nix/store/00000000000000000000000000000000-a"); !slices.Equal(pi.Sigs, []string{"k:sig"}) {
		t.Errorf("sigs after the second Add: %q", pi.Sigs)
	}
	noTemp(t, c)
}

func TestAddSelfReference(t *testing.T) {
	c := newCache(t)
	data := narFile(t, []byte("/nix/store/00000000000000000000000000000000-self\n"))
	e := entryFor(t, "00000000000000000000000000000000-self", data, "00000000000000000000000000000000-self")
	if err := c.Add(ctx, e, bytes.NewReader(data), XZ); err != nil {
		t.Fatal(err)
	}
	text, _ := os.ReadFile(filepath.Join(c.dir, "00000000000000000000000000000000.narinfo"))
	if !strings.Contains(string(text), "\nReferences: 00000000000000000000000000000000-self\n") {
		t.Errorf("narinfo:\n%s", text)
	}
}

func TestParseCompression(t *testing.T) {
	for _, s := range []string{"zstd", "xz", "none"} {
		if c, err := ParseCompression(s); err != nil || c.String() != s {
			t.Errorf("ParseCompression(%q) = %q, %v", s, c, err)
		}
	}
	for _, s := range []string{"", "bzip2", "gzip", "ZSTD", "zst", "br"} {
		if _, err := ParseCompression(s); err == nil || !strings.Contains(err.Error(), "choose zstd, xz or none") {
			t.Errorf("ParseCompression(%q): %v", s, err)
		}
	}
}

// TestConcurrent adds paths (some with the same NAR) and signatures from
// many goroutines at once, with readers: no signature is lost, every
// narinfo has its NAR, nothing is left behind.
func TestConcurrent(t *testing.T) {
	c := newCache(t)
	addVectors(t, c, Zstd)
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		wg.Go(func() {
			data := narFile(t, []byte(strings.Repeat("x", 1000*(i%3))))
			e := entryFor(t, fmt.Sprintf("%032d-p", i), data)
			errs <- c.Add(ctx, e, bytes.NewReader(data), compressions[i%len(compressions)])
		})
		wg.Go(func() {
			errs <- c.AddSignatures(ctx, helloPath, []string{fmt.Sprintf("k%d:sig", i)})
		})
		wg.Go(func() { errs <- c.NAR(ctx, helloPath, io.Discard) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	pi, err := c.PathInfo(ctx, helloPath)
	if err != nil || len(pi.Sigs) != n+1 {
		t.Errorf("after %d concurrent AddSignatures: %d sigs, %v", n, len(pi.Sigs), err)
	}
	for i := range n {
		if err := c.NAR(ctx, fmt.Sprintf("/nix/store/%032d-p", i), io.Discard); err != nil {
			t.Error(err)
		}
	}
	noTemp(t, c)
}
