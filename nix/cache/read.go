package cache

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/nixsign/nixsign/nix/narinfo"
	"github.com/nixsign/nixsign/nix/nixbase32"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

// NotValidError is a path the cache has no narinfo for. (It mirrors
// store.NotValidError, which this package cannot return without an import
// cycle: package store builds on this one.)
type NotValidError struct {
	Path  string // the absolute store path asked for
	Store string // the cache URL
}

func (e *NotValidError) Error() string {
	return fmt.Sprintf("path '%s' is not valid in binary cache '%s'", e.Path, e.Store)
}

// Has reports whether the cache has a narinfo for path. Like Nix, it only
// looks at the hash part: a narinfo for another name with the same hash
// part counts.
func (c *Cache) Has(ctx context.Context, path string) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	p, err := c.parsePath(path)
	if err != nil {
		return false, err
	}
	return c.has(p)
}

func (c *Cache) has(p storepath.Path) (bool, error) {
	name := c.narinfoPath(p)
	_, err := os.Stat(name)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	}
	return false, readError(name, err)
}

// NarInfo returns the narinfo of path, as Nix would write it back (see
// narinfo.Parse). A path the cache does not hold gives a *NotValidError,
// and so does a narinfo for another name with the same hash part, as in
// Nix. A narinfo that does not parse gives an error naming the file and
// the line.
func (c *Cache) NarInfo(ctx context.Context, path string) (*narinfo.NarInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := c.parsePath(path)
	if err != nil {
		return nil, err
	}
	return c.narInfo(p)
}

func (c *Cache) narInfo(p storepath.Path) (*narinfo.NarInfo, error) {
	name := c.narinfoPath(p)
	data, err := readMeta(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &NotValidError{Path: p.Abs(c.storeDir), Store: c.url}
	}
	if err != nil {
		return nil, readError(name, err)
	}
	ni, err := narinfo.Parse(c.storeDir, data, name)
	if err != nil {
		return nil, err
	}
	if ni.StorePath != p {
		// Nix's goodStorePath: the hash part matched, the name did not.
		return nil, &NotValidError{Path: p.Abs(c.storeDir), Store: c.url}
	}
	return ni, nil
}

// PathInfo returns what signing and verifying need from the narinfo of
// path; see NarInfo for the errors.
func (c *Cache) PathInfo(ctx context.Context, path string) (*sign.PathInfo, error) {
	ni, err := c.NarInfo(ctx, path)
	if err != nil {
		return nil, err
	}
	return pathInfo(ni), nil
}

// pathInfo converts a parsed narinfo (whose CA narinfo.Parse has checked).
func pathInfo(ni *narinfo.NarInfo) *sign.PathInfo {
	pi := &sign.PathInfo{
		Path:       ni.StorePath,
		NarHash:    ni.NarHash,
		NarSize:    ni.NarSize,
		References: slices.Clone(ni.References),
		Sigs:       slices.Clone(ni.Sigs),
	}
	if ni.CA != "" {
		pi.CA, _ = storepath.ParseCA(ni.CA)
	}
	return pi
}

// AddSignatures adds sigs to the narinfo of path, keeping those it has (a
// set union, sorted as Nix sorts them), and rewrites the narinfo
// atomically. Nothing is written when every signature is already there.
// The signatures are not checked, as the Nix daemon does not check them,
// but one that is empty or holds a line break is refused, since it would
// corrupt the narinfo.
func (c *Cache) AddSignatures(ctx context.Context, path string, sigs []string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := c.parsePath(path)
	if err != nil {
		return err
	}
	if err := checkSigs(sigs); err != nil {
		return err
	}
	defer c.lock(p)()
	ni, err := c.narInfo(p)
	if err != nil {
		return err
	}
	pi := sign.PathInfo{Sigs: ni.Sigs}
	if pi.AddSigs(sigs...) == 0 {
		return nil
	}
	ni.Sigs = pi.Sigs
	return writeFile(c.narinfoPath(p), []byte(ni.String()))
}

func checkSigs(sigs []string) error {
	for _, s := range sigs {
		if s == "" || strings.ContainsAny(s, "\n\r") {
			return fmt.Errorf("invalid signature %q", s)
		}
	}
	return nil
}

// Paths returns the store paths of the narinfo files in the cache, sorted:
// what `nix store verify --all` checks. Files whose names are not
// <hash part>.narinfo are skipped, as Nix skips them. A narinfo that cannot
// be read, does not parse, or describes a path of another hash part is left
// out, and its error joined to the error returned with the other paths
// (Nix counts such a path as failed).
func (c *Cache) Paths(ctx context.Context) ([]string, error) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return nil, readError(c.dir, err)
	}
	var paths []string
	var errs []error
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		digest, ok := strings.CutSuffix(e.Name(), ".narinfo")
		if !ok || len(digest) != 32 || !nixbase32.IsValid(digest) || e.IsDir() {
			continue
		}
		name := c.path(e.Name())
		data, err := readMeta(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			errs = append(errs, readError(name, err))
			continue
		}
		ni, err := narinfo.Parse(c.storeDir, data, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ni.StorePath.Digest != digest {
			errs = append(errs, fmt.Errorf("NAR info file '%s' is corrupt: it describes %s", name, ni.Path()))
			continue
		}
		paths = append(paths, ni.Path())
	}
	slices.Sort(paths)
	return paths, errors.Join(errs...)
}
