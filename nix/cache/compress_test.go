package cache

import (
	"bytes"
	"io"
	"slices"
	"strings"
	"testing"
)

// unregister removes the codecs of methods for the rest of the test, as in
// a binary that does not import nix/cache/codecs.
func unregister(t *testing.T, methods ...Compression) {
	for _, m := range methods {
		if c, ok := compressors.LoadAndDelete(m); ok {
			t.Cleanup(func() { compressors.Store(m, c) })
		}
		if d, ok := decompressors.LoadAndDelete(m); ok {
			t.Cleanup(func() { decompressors.Store(m, d) })
		}
	}
}

// Without package codecs, Add and NAR say which compression the binary was
// built without, before writing or reading anything; none still works, and
// a compression nixsign never reads is still unsupported.
func TestNotBuilt(t *testing.T) {
	unregister(t, "zstd", "xz", "bzip2", "gzip")
	nar := readVector(t, helloNAR)

	c := newCache(t)
	before := listing(t, c.dir)
	for _, comp := range []Compression{Zstd, XZ} {
		err := c.Add(ctx, entryOf(vectorNarInfo(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")), bytes.NewReader(nar), comp)
		want := "compression '" + string(comp) + "': this binary was built without it (it needs package github.com/nixsign/nixsign/nix/cache/codecs)"
		if err == nil || err.Error() != want {
			t.Errorf("Add %s: %v, want %q", comp, err, want)
		}
	}
	if after := listing(t, c.dir); !slices.Equal(before, after) {
		t.Errorf("failed Add left %q", after)
	}
	if _, err := ParseCompression("zstd"); err != nil {
		t.Errorf("ParseCompression(zstd) without the codec: %v", err)
	}

	for _, method := range []string{"zstd", "xz", "bzip2", "gzip", "br"} {
		putNAR(t, c, method, []byte("compressed"), nil)
		name := narFileOf(t, c)
		want := name + ": compression '" + method + "': this binary was built without it ("
		if method == "br" {
			want = name + ": unsupported compression 'br' (nixsign reads xz, zstd, bzip2, gzip and none)"
		}
		if err := c.NAR(ctx, helloPath, io.Discard); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("NAR %s: %v, want %q", method, err, want)
		}
	}

	if err := c.Add(ctx, entryOf(vectorNarInfo(t, "z45ailnkm27lnvhimqkhy08f6sh5m17d.narinfo")), bytes.NewReader(nar), None); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.NAR(ctx, helloPath, &out); err != nil || !bytes.Equal(out.Bytes(), nar) {
		t.Errorf("NAR none: %v", err)
	}
}

func TestRegisterTwice(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"compressor", func() { RegisterCompressor(Zstd, nopCompressor) }},
		{"decompressor", func() { RegisterDecompressor("gzip", nopDecompressor) }},
		{"compressor none", func() { RegisterCompressor(None, nopCompressor) }},
		{"decompressor none", func() { RegisterDecompressor(None, nopDecompressor) }},
		{"nil compressor", func() { RegisterCompressor("test-nil", nil) }},
		{"nil decompressor", func() { RegisterDecompressor("test-nil", nil) }},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", tc.name)
				}
			}()
			tc.f()
		}()
	}
	if _, ok := compressors.Load(None); ok {
		t.Error("RegisterCompressor(None) registered it")
	}
	if _, ok := compressors.Load(Compression("test-nil")); ok {
		t.Error("RegisterCompressor(nil) registered it")
	}
}

func nopCompressor(w io.Writer, _ uint64) (io.WriteCloser, error) { return nopWriteCloser{w}, nil }

func nopDecompressor(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(r), nil }
