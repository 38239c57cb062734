package cache

import (
	"fmt"
	"io"
	"slices"
	"sync"
)

// Compression is how a NAR file is compressed: the narinfo's Compression
// value. Add writes Zstd, XZ or None; NAR also reads "bzip2" and "gzip".
// This package knows None itself; the others need package
// nix/cache/codecs, which registers them (RegisterCompressor and
// RegisterDecompressor).
type Compression string

// The compressions Add writes. Nix's default for `nix copy` is xz.
const (
	Zstd Compression = "zstd" // nar/<filehash>.nar.zst
	XZ   Compression = "xz"   // nar/<filehash>.nar.xz
	None Compression = "none" // nar/<filehash>.nar, FileHash = NarHash
)

// ParseCompression returns the Compression named s: "zstd", "xz" or "none".
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(s); c {
	case Zstd, XZ, None:
		return c, nil
	}
	return "", fmt.Errorf("unknown compression %q (choose zstd, xz or none)", s)
}

// String returns the name of c.
func (c Compression) String() string { return string(c) }

// ext is the file name extension Nix's BinaryCacheStore gives the method.
func ext(method string) string {
	switch method {
	case "xz":
		return ".xz"
	case "bzip2":
		return ".bz2"
	case "zstd":
		return ".zst"
	case "lzip":
		return ".lzip"
	case "lz4":
		return ".lz4"
	case "br":
		return ".br"
	}
	return ""
}

// A Compressor returns a writer that compresses what is written to it
// into w, for a NAR of about narSize bytes. Its Close writes the end of the
// compressed stream and does not close w.
type Compressor func(w io.Writer, narSize uint64) (io.WriteCloser, error)

// A Decompressor returns a reader of the decompressed r. Its Close releases
// the reader and does not close r.
type Decompressor func(r io.Reader) (io.ReadCloser, error)

var compressors, decompressors sync.Map // Compression -> Compressor, Decompressor

// RegisterCompressor makes Add compress method, one that ParseCompression
// accepts, with c. Package nix/cache/codecs registers Zstd and XZ. It
// panics for None, for a nil c and for a method registered already.
func RegisterCompressor(method Compression, c Compressor) {
	if method == None {
		panic("cache: compression none needs no compressor")
	}
	if c == nil {
		panic("cache: nil compressor for " + string(method))
	}
	if _, dup := compressors.LoadOrStore(method, c); dup {
		panic("cache: compressor already registered: " + string(method))
	}
}

// RegisterDecompressor makes NAR decompress method with d. Package
// nix/cache/codecs registers zstd, xz, bzip2 and gzip. It panics for None,
// for a nil d and for a method registered already.
func RegisterDecompressor(method Compression, d Decompressor) {
	if method == None {
		panic("cache: compression none needs no decompressor")
	}
	if d == nil {
		panic("cache: nil decompressor for " + string(method))
	}
	if _, dup := decompressors.LoadOrStore(method, d); dup {
		panic("cache: decompressor already registered: " + string(method))
	}
}

// codecMethods are the Compression values package nix/cache/codecs
// provides, in the order messages list them.
var codecMethods = []string{"xz", "zstd", "bzip2", "gzip"}

// notBuiltError is a compression nixsign implements that the running
// binary was built without: it does not import nix/cache/codecs.
type notBuiltError string

func (e notBuiltError) Error() string {
	return fmt.Sprintf("compression '%s': this binary was built without it (it needs package github.com/nixsign/nixsign/nix/cache/codecs)", string(e))
}

// unsupportedError is a compression NAR cannot read.
type unsupportedError string

func (e unsupportedError) Error() string {
	return fmt.Sprintf("unsupported compression '%s' (nixsign reads xz, zstd, bzip2, gzip and none)", string(e))
}

// compressor returns the Compressor of c, which ParseCompression accepts.
func compressor(c Compression) (Compressor, error) {
	if c == None {
		return func(w io.Writer, _ uint64) (io.WriteCloser, error) { return nopWriteCloser{w}, nil }, nil
	}
	if v, ok := compressors.Load(c); ok {
		return v.(Compressor), nil
	}
	return nil, notBuiltError(c)
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// decompressor returns the Decompressor of the narinfo's Compression
// value method ("" is none).
func decompressor(method string) (Decompressor, error) {
	if method == string(None) || method == "" {
		return func(r io.Reader) (io.ReadCloser, error) { return io.NopCloser(r), nil }, nil
	}
	if v, ok := decompressors.Load(Compression(method)); ok {
		return v.(Decompressor), nil
	}
	if slices.Contains(codecMethods, method) {
		return nil, notBuiltError(method)
	}
	return nil, unsupportedError(method)
}
