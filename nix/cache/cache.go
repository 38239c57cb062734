package cache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/nixsign/nixsign/internal/fsutil"
	"github.com/nixsign/nixsign/nix/narinfo"
	"github.com/nixsign/nixsign/nix/storepath"
)

// Cache is a binary cache in a local directory. Its methods are safe for
// concurrent use; several processes may also use one cache at once, since
// every file is written under a temporary name and renamed into place
// (but two processes adding signatures to the same path at the same time
// may lose one's, as with Nix).
type Cache struct {
	url      string // "file://" + dir
	dir      string // absolute and clean
	storeDir string

	// locks serialise the read-modify-write of one narinfo in this
	// process, picked by the hash part's first byte.
	locks [16]sync.Mutex
}

// cacheInfoFile is the name of the file that says which store dir a cache
// is for.
const cacheInfoFile = "nix-cache-info"

// Open opens the binary cache at url, which must be "file://" followed by
// an absolute directory, e.g. "file:///srv/cache". A plain directory path
// is refused: to Nix it names a local store, not a binary cache. Nix's URL
// parameters (?compression=..., ?secret-key=...) are refused too: they are
// options of the command, not of the cache.
//
// storeDir is the store dir of the paths the cache holds, normally
// /nix/store. When the directory has a nix-cache-info file naming a
// StoreDir, it must be storeDir: a cache for another store dir is an error,
// as in Nix ("binary cache 'URL' is for Nix stores with prefix '/other',
// not '/nix/store'"), because its signatures cannot hold for storeDir.
//
// With create, Open makes the directory and its nar, realisations and log
// subdirectories when missing, and writes nix-cache-info when missing,
// exactly as `nix copy --to file://DIR` does: "StoreDir: /nix/store\n".
// Without create, the directory must exist; a missing nix-cache-info is
// accepted (Nix would write it).
//
// Every error names the URL or the file involved.
func Open(url, storeDir string, create bool) (*Cache, error) {
	dir, err := parseURL(url)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(storeDir, "/") || filepath.Clean(storeDir) != storeDir || storeDir == "/" {
		return nil, fmt.Errorf("binary cache %s: store dir %q is not a clean absolute path", url, storeDir)
	}
	c := &Cache{url: "file://" + dir, dir: dir, storeDir: storeDir}
	if !create {
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, fmt.Errorf("binary cache %s: %w", c.url, cause(err))
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("binary cache %s: %s is not a directory", c.url, dir)
		}
	}
	// Check an existing nix-cache-info before creating anything.
	if err := c.checkCacheInfo(false); err != nil {
		return nil, err
	}
	if create {
		for _, d := range []string{dir, c.path("nar"), c.path("realisations"), c.path("log")} {
			if err := os.MkdirAll(d, 0o777); err != nil {
				return nil, fmt.Errorf("cannot create binary cache directory %s: %w", d, cause(err))
			}
		}
		if err := c.checkCacheInfo(true); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// parseURL returns the directory of a file:// URL.
func parseURL(url string) (string, error) {
	rest, ok := strings.CutPrefix(url, "file://")
	switch {
	case !ok && strings.HasPrefix(url, "/"):
		return "", fmt.Errorf("binary cache %q: want a URL, file://%s (a plain path is a local store to Nix)", url, url)
	case !ok:
		return "", fmt.Errorf("binary cache %q: want a URL of the form file:///DIR", url)
	case strings.ContainsAny(rest, "?#"):
		return "", fmt.Errorf("binary cache %q: URL parameters are not supported; give the command's options instead", url)
	case !strings.HasPrefix(rest, "/"):
		return "", fmt.Errorf("binary cache %q: the directory must be absolute, as in file:///DIR", url)
	}
	return filepath.Clean(rest), nil
}

// maxMetaSize bounds the narinfo and nix-cache-info files read: a cache
// is untrusted input, and a narinfo is a few hundred bytes (one with ten
// thousand references, some 600 KiB).
const maxMetaSize = 1 << 20

// readMeta reads a narinfo or nix-cache-info file of the cache, refusing
// one that is not a regular file (a named pipe would block the reader
// forever, /dev/zero exhaust its memory) or is larger than maxMetaSize.
func readMeta(name string) ([]byte, error) {
	return fsutil.ReadSmallFile(name, maxMetaSize)
}

// checkCacheInfo reads nix-cache-info, writing it first when it is missing
// and create is set.
func (c *Cache) checkCacheInfo(create bool) error {
	name := c.path(cacheInfoFile)
	data, err := readMeta(name)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return nil
		}
		info := narinfo.CacheInfo{StoreDir: c.storeDir}
		return writeFile(name, []byte(info.String()))
	}
	if err != nil {
		return readError(name, err)
	}
	info, err := narinfo.ParseCacheInfo(data, name)
	if err != nil {
		return err
	}
	if info.StoreDir != "" && info.StoreDir != c.storeDir {
		return fmt.Errorf("binary cache '%s' is for Nix stores with prefix '%s', not '%s' (%s)",
			c.url, info.StoreDir, c.storeDir, name)
	}
	return nil
}

// String returns the cache's URL, "file://" and its directory.
func (c *Cache) String() string { return c.url }

// Dir returns the store dir of the paths in the cache.
func (c *Cache) Dir() string { return c.storeDir }

// Close does nothing: a Cache holds no open files between calls.
func (c *Cache) Close() error { return nil }

// path returns the absolute name of a file of the cache.
func (c *Cache) path(rel string) string { return filepath.Join(c.dir, rel) }

// parsePath parses an absolute store path of the cache's store dir.
func (c *Cache) parsePath(path string) (storepath.Path, error) {
	p, err := storepath.Parse(c.storeDir, path)
	if err != nil {
		return storepath.Path{}, fmt.Errorf("binary cache %s: %v", c.url, err)
	}
	return p, nil
}

// narinfoPath returns the file of p's narinfo: DIR/<hash part>.narinfo.
func (c *Cache) narinfoPath(p storepath.Path) string {
	return c.path(p.Digest + ".narinfo")
}

// lock locks the narinfo of p against other writers in this process.
func (c *Cache) lock(p storepath.Path) func() {
	m := &c.locks[p.Digest[0]%byte(len(c.locks))]
	m.Lock()
	return m.Unlock
}
