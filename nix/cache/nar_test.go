package cache

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	nixhash "github.com/nixsign/nixsign/nix/hash"
)

// putNAR writes file as the NAR file of the hello.txt vector with the given
// compression, and a narinfo for it; edit may change the narinfo first.
func putNAR(t *testing.T, c *Cache, method string, file []byte, edit func(text string) string) {
	t.Helper()
	ni := vectorNarInfo(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
	sum := sha256.Sum256(file)
	ni.Compression = method
	ni.FileHash = nixhash.SHA256Sum(sum)
	ni.FileSize = uint64(len(file))
	ni.URL = "nar/" + ni.FileHash.Nix32() + ".nar" + ext(method)
	text := ni.String()
	if edit != nil {
		text = edit(text)
	}
	if err := os.WriteFile(filepath.Join(c.dir, ni.URL), file, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(c.dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// narFileOf returns the file of the hello.txt vector's NAR in c.
func narFileOf(t *testing.T, c *Cache) string {
	t.Helper()
	ni, err := c.NarInfo(ctx, helloPath)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(c.dir, ni.URL)
}

func TestNAROtherCompressions(t *testing.T) {
	want := readVector(t, helloNAR)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(want)
	zw.Close()
	bz, err := os.ReadFile("testdata/hello.txt.nar.bz2")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, method string
		file         []byte
		edit         func(string) string
	}{
		{"bzip2", "bzip2", bz, nil},
		{"gzip", "gzip", gz.Bytes(), nil},
		// A narinfo without Compression means bzip2.
		{"default", "bzip2", bz, func(s string) string { return strings.Replace(s, "Compression: bzip2\n", "", 1) }},
		// Nix after 2.8.0 may leave out FileHash and FileSize.
		{"no file hash", "none", want, func(s string) string {
			s = strings.Replace(s, s[strings.Index(s, "FileHash:"):strings.Index(s, "NarHash:")], "", 1)
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			putNAR(t, c, tc.method, tc.file, tc.edit)
			var out bytes.Buffer
			if err := c.NAR(ctx, helloPath, &out); err != nil || !bytes.Equal(out.Bytes(), want) {
				t.Errorf("NAR = %d bytes, %v", out.Len(), err)
			}
		})
	}
}

// TestNARCorrupt alters NAR files and checks what NAR reports: a
// *CorruptError where Nix 2.8.0's `nix store verify` says "was modified!",
// another one-line error where it fails (see TestInteropVerify).
func TestNARCorrupt(t *testing.T) {
	nar := readVector(t, helloNAR)
	flip := func(b []byte) []byte { b = bytes.Clone(b); b[len(b)/2] ^= 1; return b }
	for _, tc := range []struct {
		name string
		comp Compression
		edit func([]byte) []byte
		what string // CorruptError.What, or "" for another error
		err  string
	}{
		{"none flipped", None, flip, "NAR hash", "was modified! expected NAR hash 'sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil', got 'sha256:"},
		{"none truncated", None, func(b []byte) []byte { return b[:100] }, "NAR size", "expected NAR size '128', got '100'"},
		{"none longer", None, func(b []byte) []byte { return append(b, 0) }, "NAR size", "expected NAR size '128', got 'more than 128'"},
		{"xz flipped", XZ, flip, "", "cannot decompress (xz): "},
		{"xz truncated", XZ, func(b []byte) []byte { return b[:len(b)-10] }, "", "the file was modified: expected file size"},
		{"zstd flipped", Zstd, flip, "", "the file was modified: expected file hash"},
		{"zstd truncated", Zstd, func(b []byte) []byte { return b[:len(b)-3] }, "", "cannot decompress (zstd): "},
		{"zstd garbage", Zstd, func([]byte) []byte { return []byte("garbage") }, "", "cannot decompress (zstd): "},
		{"xz empty", XZ, func([]byte) []byte { return nil }, "", "cannot decompress (xz): "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			e := entryOf(vectorNarInfo(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo"))
			if err := c.Add(ctx, e, bytes.NewReader(nar), tc.comp); err != nil {
				t.Fatal(err)
			}
			file := narFileOf(t, c)
			data, _ := os.ReadFile(file)
			os.WriteFile(file, tc.edit(data), 0o644)
			var out bytes.Buffer
			err := c.NAR(ctx, helloPath, &out)
			if out.Len() > len(nar)+1 || tc.what != "" && bytes.Equal(out.Bytes(), nar) {
				t.Errorf("NAR wrote %d bytes (the NAR: %v)", out.Len(), bytes.Equal(out.Bytes(), nar))
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), file) ||
				strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want %q naming %s", err, tc.err, file)
			}
			var ce *CorruptError
			if errors.As(err, &ce) != (tc.what != "") || ce != nil && (ce.What != tc.what || ce.Path != helloPath || ce.File != file) {
				t.Errorf("error %#v, want a CorruptError of %q", err, tc.what)
			}
		})
	}
}

// TestNARFile checks NAR files that decompress to the right NAR but do not
// match their narinfo: Nix does not check FileHash and FileSize.
func TestNARFile(t *testing.T) {
	nar := readVector(t, helloNAR)
	for _, tc := range []struct{ name, what string }{{"file hash", "file hash"}, {"file size", "file size"}} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCache(t)
			putNAR(t, c, "none", nar, nil)
			name := filepath.Join(c.dir, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")
			text, _ := os.ReadFile(name)
			ni, err := parseNarInfo(string(text))
			if err != nil {
				t.Fatal(err)
			}
			switch tc.what {
			case "file hash":
				ni.FileHash = nixhash.SHA256Sum(sha256.Sum256(nil))
			case "file size":
				ni.FileSize = 127
			}
			os.WriteFile(name, []byte(ni.String()), 0o644)
			var out bytes.Buffer
			err = c.NAR(ctx, helloPath, &out)
			var ce *CorruptError
			if !errors.As(err, &ce) || ce.What != tc.what {
				t.Errorf("error %v, want a CorruptError of %q", err, tc.what)
			}
			if !bytes.Equal(out.Bytes(), nar) {
				t.Error("the NAR was not written")
			}
		})
	}
}

func TestNARErrors(t *testing.T) {
	nar := readVector(t, helloNAR)
	c := newCache(t)
	putNAR(t, c, "none", nar, nil)
	file := narFileOf(t, c)

	// A writer error is returned as is.
	werr := errors.New("pipe closed")
	if err := c.NAR(ctx, helloPath, errWriter{werr}); !errors.Is(err, werr) {
		t.Errorf("writer error: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.NAR(cctx, helloPath, io.Discard); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
	var nv *NotValidError
	if err := c.NAR(ctx, "/nix/store/00000000000000000000000000000000-x", io.Discard); !errors.As(err, &nv) {
		t.Errorf("missing narinfo: %v", err)
	}

	os.Remove(file)
	err := c.NAR(ctx, helloPath, io.Discard)
	var ce *CorruptError
	if !errors.Is(err, fs.ErrNotExist) || errors.As(err, &ce) || err.Error() != "cannot read "+file+": no such file or directory" {
		t.Errorf("missing NAR file: %v", err)
	}

	for _, tc := range []struct{ method, url, err string }{
		{"br", "nar/x.nar.br", "unsupported compression 'br'"},
		{"none", "../../etc/passwd", "URL '../../etc/passwd' is not a file of the cache"},
		{"none", "/etc/passwd", "is not a file of the cache"},
	} {
		putNAR(t, c, tc.method, nar, func(s string) string {
			return strings.Replace(s, s[strings.Index(s, "URL: "):strings.Index(s, "\nCompression")], "URL: "+tc.url, 1)
		})
		if err := c.NAR(ctx, helloPath, io.Discard); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s %s: %v, want %q", tc.method, tc.url, err, tc.err)
		}
	}
}

type errWriter struct{ err error }

func (w errWriter) Write([]byte) (int, error) { return 0, w.err }
