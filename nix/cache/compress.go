package cache

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Compression is how Add compresses a NAR: the narinfo's Compression value.
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

// compressor compresses into w. close flushes the end of the stream.
type compressor struct {
	io.Writer
	close func() error
}

// newCompressor returns a compressor for c writing to w, sized for a NAR of
// narSize bytes.
func newCompressor(c Compression, w io.Writer, narSize uint64) (*compressor, error) {
	switch c {
	case None:
		return &compressor{Writer: w, close: func() error { return nil }}, nil
	case Zstd:
		fw := newFrameWriter(w, narSize)
		return &compressor{Writer: fw, close: fw.Close}, nil
	case XZ:
		// liblzma's preset 6 (Nix's default) has an 8 MiB dictionary; a
		// smaller NAR needs no more than its own size, and a reader then
		// allocates no more either.
		dict := 8 << 20
		if narSize < uint64(dict) {
			dict = max(int(narSize), 4096)
		}
		xw, err := xz.WriterConfig{DictCap: dict}.NewWriter(w)
		if err != nil {
			return nil, err
		}
		return &compressor{Writer: xw, close: xw.Close}, nil
	}
	return nil, fmt.Errorf("unknown compression %q (choose zstd, xz or none)", c)
}

var zstdReaders = sync.Pool{New: func() any {
	d, err := zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(2),
		// libzstd, which Nix uses, refuses windows over 128 MiB by default.
		zstd.WithDecoderMaxWindow(128<<20),
		zstd.WithDecoderLowmem(true))
	if err != nil {
		panic(err)
	}
	return d
}}

// unsupportedError is a compression NAR cannot read.
type unsupportedError string

func (e unsupportedError) Error() string {
	return fmt.Sprintf("unsupported compression '%s' (nixsign reads xz, zstd, bzip2, gzip and none)", string(e))
}

// newDecompressor returns a reader of the decompressed r, for the
// narinfo's Compression value method. done releases it.
func newDecompressor(method string, r io.Reader) (rd io.Reader, done func(), err error) {
	nop := func() {}
	switch method {
	case "none", "":
		return r, nop, nil
	case "zstd":
		d := zstdReaders.Get().(*zstd.Decoder)
		if err := d.Reset(r); err != nil {
			zstdReaders.Put(d)
			return nil, nop, err
		}
		return d, func() {
			d.Reset(nil)
			zstdReaders.Put(d)
		}, nil
	case "xz":
		xr, err := xz.NewReader(r)
		if err != nil {
			return nil, nop, err
		}
		return xr, nop, nil
	case "bzip2":
		return bzip2.NewReader(bufio.NewReaderSize(r, 64<<10)), nop, nil
	case "gzip":
		gr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nop, err
		}
		return gr, nop, nil
	}
	return nil, nop, unsupportedError(method)
}
