package cache

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	nixhash "github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/narinfo"
)

// CorruptError is a NAR file that does not match its narinfo: a path that
// was modified in the cache.
//
// What says which check failed. "NAR hash" and "NAR size" are about the
// decompressed NAR, the content that signatures cover: `nix store verify`
// reports these as "path '...' was modified!" (exit code 1). "file hash" and
// "file size" are about the compressed file, whose NAR was intact: Nix
// 2.8.0 does not check those, and passes the path. A compressed file that
// does not decompress is not a CorruptError (Nix fails such a path with an
// error, exit code 4), though its error says when the file does not match
// its FileHash either.
type CorruptError struct {
	Path string // the store path
	File string // the NAR file in the cache
	What string // "NAR hash", "NAR size", "file hash" or "file size"
	Want string // from the narinfo
	Got  string // from the file; a size too large is "more than N"
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("path '%s' was modified! expected %s '%s', got '%s' (%s)", e.Path, e.What, e.Want, e.Got, e.File)
}

// NAR writes the NAR of path to w: it reads the file the narinfo's URL
// names and decompresses it as its Compression says (xz, zstd, bzip2, gzip
// or none). Every byte is checked as it streams: the compressed file
// against FileSize and FileHash (when the narinfo has them), the NAR
// against NarSize and NarHash. A mismatch is a *CorruptError, reported
// after w has received the NAR (or, for a NAR longer than NarSize, its
// first NarSize+1 bytes, so that what w got never hashes to NarHash); on
// any error, what w received must be thrown away.
//
// A path the cache does not hold is a *NotValidError. A missing NAR file,
// one that does not decompress, and a narinfo URL outside the cache are
// errors naming the file.
func (c *Cache) NAR(ctx context.Context, path string, w io.Writer) error {
	ni, err := c.NarInfo(ctx, path)
	if err != nil {
		return err
	}
	if !filepath.IsLocal(ni.URL) {
		return fmt.Errorf("NAR info file '%s': URL '%s' is not a file of the cache", c.narinfoPath(ni.StorePath), ni.URL)
	}
	name := c.path(ni.URL)
	if _, err := decompressor(ni.Compression); err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	f, err := os.Open(name)
	if err != nil {
		return readError(name, err)
	}
	defer f.Close()
	return readNAR(ctx, ni, name, f, w)
}

// readNAR decompresses and checks the NAR file f (named name) of ni into w.
func readNAR(ctx context.Context, ni *narinfo.NarInfo, name string, f io.Reader, w io.Writer) error {
	corrupt := func(what, want, got string) *CorruptError {
		return &CorruptError{Path: ni.Path(), File: name, What: what, Want: want, Got: got}
	}
	fileHash, err := newHasher(ni.FileHash, sha256.New)
	if err != nil {
		return fmt.Errorf("NAR info of %s: FileHash: %v", ni.Path(), err)
	}
	narHash, err := newHasher(ni.NarHash, nil)
	if err != nil {
		return fmt.Errorf("NAR info of %s: NarHash: %v", ni.Path(), err)
	}
	in := &countReader{ctx: ctx, r: f, h: fileHash, limit: -1}
	switch {
	case ni.FileHash.IsZero():
		in.h = nil
	case (ni.Compression == "none" || ni.Compression == "") && ni.FileHash.Algo == ni.NarHash.Algo:
		// The file is the NAR: hash it once. (Where the two differ in
		// length, the size checks fail first.)
		in.h, fileHash = nil, narHash
	}
	if ni.FileSize > 0 {
		in.limit = int64(min(ni.FileSize, 1<<62)) + 1
	}
	buf := readBufs.Get().(*bufio.Reader)
	buf.Reset(in)
	defer func() { buf.Reset(nil); readBufs.Put(buf) }()
	newDecompressor, err := decompressor(ni.Compression)
	var dec io.ReadCloser
	if err == nil {
		dec, err = newDecompressor(buf)
	}
	// A NAR longer than NarSize is cut one byte after it: never a bomb, and
	// whoever hashes what w got still sees that it is not the NAR.
	out := &limitWriter{w: w, h: narHash, limit: int64(min(ni.NarSize, 1<<62)) + 1}
	if err == nil {
		bp := copyBufs.Get().(*[]byte)
		_, err = io.CopyBuffer(out, dec, *bp)
		copyBufs.Put(bp)
		dec.Close()
	}
	decodeErr := err
	if in.err == nil && out.err == nil && !out.over {
		// Hash the rest of the file: a decompressor stops at the end of
		// its stream, or at an error (then the hash tells whether the file
		// was modified). A read error is kept in in.readErr.
		io.Copy(io.Discard, buf)
	}
	switch {
	case out.err != nil:
		return fmt.Errorf("NAR of %s: %w", ni.Path(), out.err)
	case in.err != nil:
		return in.err // the context
	case in.readErr != nil:
		return readError(name, in.readErr)
	case out.over:
		return corrupt("NAR size", strconv.FormatUint(ni.NarSize, 10), "more than "+strconv.FormatUint(ni.NarSize, 10))
	}
	var fileErr *CorruptError
	switch {
	case ni.FileSize > 0 && uint64(in.n) != ni.FileSize:
		got := strconv.FormatInt(in.n, 10)
		if uint64(in.n) > ni.FileSize {
			got = "more than " + strconv.FormatUint(ni.FileSize, 10)
		}
		fileErr = corrupt("file size", strconv.FormatUint(ni.FileSize, 10), got)
	case !ni.FileHash.IsZero() && !sumEqual(fileHash, ni.FileHash):
		fileErr = corrupt("file hash", ni.FileHash.String(), sumString(fileHash, ni.FileHash.Algo))
	}
	switch {
	case decodeErr != nil:
		msg := fmt.Sprintf("%s: cannot decompress (%s): %v", name, ni.Compression, decodeErr)
		if fileErr != nil {
			msg += fmt.Sprintf("; the file was modified: expected %s '%s', got '%s'", fileErr.What, fileErr.Want, fileErr.Got)
		}
		return errors.New(msg)
	case uint64(out.n) != ni.NarSize:
		return corrupt("NAR size", strconv.FormatUint(ni.NarSize, 10), strconv.FormatInt(out.n, 10))
	case !sumEqual(narHash, ni.NarHash):
		return corrupt("NAR hash", ni.NarHash.String(), sumString(narHash, ni.NarHash.Algo))
	case fileErr != nil:
		return fileErr
	}
	return nil
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// newHasher returns a hash.Hash of h's algorithm; for a zero h, def (or
// nil when def is nil).
func newHasher(h nixhash.Hash, def func() hash.Hash) (hash.Hash, error) {
	switch h.Algo {
	case nixhash.MD5:
		return md5.New(), nil
	case nixhash.SHA1:
		return sha1.New(), nil
	case nixhash.SHA256:
		return sha256.New(), nil
	case nixhash.SHA512:
		return sha512.New(), nil
	case nixhash.Unknown:
		if def != nil {
			return def(), nil
		}
	}
	return nil, fmt.Errorf("unsupported hash %q", h.String())
}

func sumEqual(h hash.Hash, want nixhash.Hash) bool {
	return nixhash.Hash{Algo: want.Algo, Digest: h.Sum(nil)}.Equal(want)
}

func sumString(h hash.Hash, algo nixhash.Algo) string {
	return nixhash.Hash{Algo: algo, Digest: h.Sum(nil)}.String()
}
