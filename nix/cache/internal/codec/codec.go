// Package codec implements the NAR compressions of Nix binary caches that
// package nix/cache does not link itself, by narinfo Compression value:
//
//	Compression  file                      write   read
//	zstd         nar/<file hash>.nar.zst   yes     yes
//	xz           nar/<file hash>.nar.xz    yes     yes
//	bzip2        nar/<file hash>.nar.bz2   no      yes
//	gzip         nar/<file hash>.nar       no      yes
//
// Package nix/cache/codecs registers them with package cache; cache's own
// tests, which cannot import codecs (it imports cache), register them from
// here too.
package codec

import (
	"bufio"
	"compress/bzip2"
	"compress/gzip"
	"io"

	"github.com/ulikunitz/xz"
)

// Writers are the compressors, by narinfo Compression value. A writer
// compresses to w a NAR of about narSize bytes; its Close ends the stream
// and does not close w.
var Writers = map[string]func(w io.Writer, narSize uint64) (io.WriteCloser, error){
	"zstd": NewZstdWriter,
	"xz":   NewXZWriter,
}

// Readers are the decompressors, by narinfo Compression value. A reader's
// Close releases it and does not close r.
var Readers = map[string]func(r io.Reader) (io.ReadCloser, error){
	"zstd":  NewZstdReader,
	"xz":    NewXZReader,
	"bzip2": NewBzip2Reader,
	"gzip":  NewGzipReader,
}

// NewXZWriter returns an xz writer to w for a NAR of about narSize bytes.
// liblzma's preset 6 (Nix's default) has an 8 MiB dictionary; a smaller
// NAR needs no more than its own size, and a reader then allocates no more
// either.
func NewXZWriter(w io.Writer, narSize uint64) (io.WriteCloser, error) {
	dict := 8 << 20
	if narSize < uint64(dict) {
		dict = max(int(narSize), 4096)
	}
	xw, err := xz.WriterConfig{DictCap: dict}.NewWriter(w)
	if err != nil {
		return nil, err
	}
	return xw, nil
}

// NewXZReader returns a reader of the xz stream r.
func NewXZReader(r io.Reader) (io.ReadCloser, error) {
	xr, err := xz.NewReader(r)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(xr), nil
}

// NewBzip2Reader returns a reader of the bzip2 stream r.
func NewBzip2Reader(r io.Reader) (io.ReadCloser, error) {
	return io.NopCloser(bzip2.NewReader(bufio.NewReaderSize(r, 64<<10))), nil
}

// NewGzipReader returns a reader of the gzip stream r.
func NewGzipReader(r io.Reader) (io.ReadCloser, error) {
	gr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	return gr, nil
}
