package cache

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"

	nixhash "github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/narinfo"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

// Entry is a store path to add to a cache: what its narinfo says besides
// where its NAR file is.
type Entry struct {
	// Info gives the path, NarHash, NarSize, References, CA and the
	// signatures to write (the caller merges the ones the source store
	// has with new ones, as `nix copy` keeps the source's signatures and
	// adds its own).
	Info *sign.PathInfo
	// Deriver is the base name of the path's .drv, "" when unknown.
	Deriver string
	// System is written as "System: ..." when not "". Nix 2.8.0 writes
	// none for paths copied from a local store.
	System string
}

// Add adds one path to the cache, reading its NAR from src, as
// `nix copy --to file://DIR?compression=...` does:
//
//  1. Every reference other than the path itself must already be in the
//     cache (add a closure references first), as in Nix: "cannot add
//     '...' to the binary cache because the reference '...' is not valid".
//  2. The NAR streams from src through a strict NAR reader (package nar)
//     and a compressor into a temporary file in DIR/nar; it is never held
//     in memory whole. Its SHA-256 and size must be e.Info's NarHash and
//     NarSize, or Add fails and writes nothing (it stops reading as soon
//     as src gives more than NarSize bytes).
//  3. The file becomes DIR/nar/<nix32 SHA-256 of the file>.nar<ext>
//     (.zst, .xz, or none for None); a file of that name already there
//     is kept. With None, FileHash and FileSize are the NarHash and
//     NarSize.
//  4. Last, DIR/<hash part>.narinfo is written, replacing any there, so
//     that a reader never sees a narinfo whose NAR file is missing.
//
// Files are written under temporary names, made durable and renamed into
// place; a failure removes the temporary file and leaves the cache as it
// was, except that a NAR file whose narinfo could not be written stays
// (unreferenced, and reused by the next Add of the same NAR). Callers that
// want to skip paths the cache holds, as Nix does, ask Has first.
//
// The narinfo is byte for byte what Nix 2.8.0 writes for the same path,
// compression and signatures, except that for zstd and xz the compressed
// bytes, and so URL, FileHash and FileSize, differ (Nix uses libzstd and
// liblzma).
func (c *Cache) Add(ctx context.Context, e Entry, src io.Reader, comp Compression) error {
	ni, err := c.newNarInfo(e, comp)
	if err != nil {
		return err
	}
	newCompressor, err := compressor(comp)
	if err != nil {
		return err
	}
	path := ni.Path()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, r := range ni.References {
		if r == ni.StorePath {
			continue
		}
		ok, err := c.has(r)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("cannot add '%s' to the binary cache %s because the reference '%s' is not valid",
				path, c.url, r.Abs(c.storeDir))
		}
	}
	narDir := c.path("nar")
	writeErr := func(err error) error {
		return fmt.Errorf("cannot write the NAR of %s to %s: %w", path, narDir, cause(err))
	}
	tmp, err := createTemp(narDir, "nar")
	if err != nil {
		return writeErr(err)
	}
	defer tmp.abort()

	bw := writeBufs.Get().(*bufio.Writer)
	bw.Reset(tmp)
	defer func() { bw.Reset(nil); writeBufs.Put(bw) }()
	fileOut := &hashWriter{w: bw}
	if comp != None {
		fileOut.h = sha256.New()
	}
	cw, err := newCompressor(fileOut, ni.NarSize)
	if err != nil {
		return err
	}
	narHash := sha256.New()
	in := &limitReader{ctx: ctx, r: src, limit: int64(min(ni.NarSize, 1<<62))}
	n, err := nar.Copy(io.MultiWriter(narHash, cw), in)
	if cerr := cw.Close(); err == nil {
		err = cerr
	}
	if fileOut.err == nil {
		fileOut.err = bw.Flush()
	}
	switch {
	case fileOut.err != nil:
		return writeErr(fileOut.err)
	case ctx.Err() != nil:
		return ctx.Err()
	case in.over:
		return fmt.Errorf("NAR of %s is longer than its path info says (%d bytes); nothing written", path, ni.NarSize)
	case err != nil:
		return fmt.Errorf("NAR of %s: %w", path, err)
	}
	got := nixhash.Hash{Algo: nixhash.SHA256, Digest: narHash.Sum(nil)}
	switch {
	case uint64(n) != ni.NarSize:
		return fmt.Errorf("NAR of %s has size %d, but its path info says %d; nothing written", path, n, ni.NarSize)
	case !got.Equal(ni.NarHash):
		return fmt.Errorf("NAR of %s has hash '%s', but its path info says '%s'; nothing written", path, got, ni.NarHash)
	}

	ni.FileHash, ni.FileSize = got, uint64(n)
	if comp != None {
		ni.FileHash = nixhash.Hash{Algo: nixhash.SHA256, Digest: fileOut.h.Sum(nil)}
		ni.FileSize = uint64(fileOut.n)
	}
	ni.URL = "nar/" + ni.FileHash.Nix32() + ".nar" + ext(ni.Compression)

	if _, err := tmp.commit(c.path(ni.URL), true); err != nil {
		return writeError(c.path(ni.URL), err)
	}
	defer c.lock(ni.StorePath)()
	return writeFile(c.narinfoPath(ni.StorePath), []byte(ni.String()))
}

// newNarInfo checks e and returns its narinfo, without URL, FileHash and
// FileSize.
func (c *Cache) newNarInfo(e Entry, comp Compression) (*narinfo.NarInfo, error) {
	if _, err := ParseCompression(string(comp)); err != nil {
		return nil, err
	}
	pi := e.Info
	if pi == nil {
		return nil, errors.New("cache.Add: no path info")
	}
	if _, err := storepath.ParseBase(pi.Path.Base()); err != nil {
		return nil, fmt.Errorf("cannot add to binary cache %s: %v", c.url, err)
	}
	path := pi.Path.Abs(c.storeDir)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("cannot add '%s' to binary cache %s: %s", path, c.url, fmt.Sprintf(format, args...))
	}
	switch {
	case pi.NarHash.Algo != nixhash.SHA256 || len(pi.NarHash.Digest) != sha256.Size:
		return nil, bad("NAR hash %q is not a SHA-256 hash", pi.NarHash.String())
	case pi.NarSize == 0:
		return nil, bad("NAR size unknown")
	case strings.ContainsAny(e.System, "\n\r"):
		return nil, bad("invalid system %q", e.System)
	}
	for _, r := range pi.References {
		if _, err := storepath.ParseBase(r.Base()); err != nil {
			return nil, bad("reference: %v", err)
		}
	}
	if e.Deriver != "" {
		if _, err := storepath.ParseBase(e.Deriver); err != nil {
			return nil, bad("deriver: %v", err)
		}
	}
	if err := checkSigs(pi.Sigs); err != nil {
		return nil, bad("%v", err)
	}
	ni := &narinfo.NarInfo{
		StoreDir:    c.storeDir,
		StorePath:   pi.Path,
		Compression: string(comp),
		NarHash:     pi.NarHash,
		NarSize:     pi.NarSize,
		References:  pi.References,
		Deriver:     e.Deriver,
		System:      e.System,
		Sigs:        pi.Sigs,
	}
	if pi.CA.Method != "" {
		ni.CA = pi.CA.String()
	}
	return ni, nil
}
