// Package storepath implements Nix store paths.
//
// A store path is "<store dir>/<hash>-<name>", for example
//
//	/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt
//
// where the hash part is 32 nixbase32 characters (20 bytes) and the name is
// 1 to 211 bytes from [0-9A-Za-z+-._?=]. Following Nix 2.21 and later, the
// names ".", ".." and those starting with ".-" or "..-" are rejected; other
// names starting with a dot are accepted (Nix 2.4-2.18 accepted them all).
// The store dir is /nix/store unless NIX_STORE_DIR (or NIX_STORE) says
// otherwise.
package storepath

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/nixsign/nixsign/nix/nixbase32"
)

// DefaultDir is the store dir Nix is built with by default.
const DefaultDir = "/nix/store"

// HashLen is the length of the hash part of a store path's base name.
const HashLen = 32

// MaxNameLen is the longest name a store path may have.
const MaxNameLen = 211

// Dir returns the store dir from the environment: NIX_STORE_DIR, else
// NIX_STORE, else DefaultDir.
func Dir() string {
	return DirFrom(os.Getenv)
}

// DirFrom is Dir with the environment read through getenv.
func DirFrom(getenv func(string) string) string {
	for _, v := range []string{"NIX_STORE_DIR", "NIX_STORE"} {
		if d := getenv(v); d != "" {
			return path.Clean(d)
		}
	}
	return DefaultDir
}

// Path is a store path without its store dir.
type Path struct {
	Digest string // the 32-character nixbase32 hash part
	Name   string
}

// ErrInvalid is wrapped by every parse error.
var ErrInvalid = errors.New("invalid store path")

// ParseBase parses a store path's base name, "<hash>-<name>".
func ParseBase(base string) (Path, error) {
	if len(base) < HashLen+2 || base[HashLen] != '-' {
		return Path{}, fmt.Errorf("%w %q: want <32-character hash>-<name>", ErrInvalid, base)
	}
	digest, name := base[:HashLen], base[HashLen+1:]
	if !nixbase32.IsValid(digest) {
		return Path{}, fmt.Errorf("%w %q: hash part %q is not nixbase32", ErrInvalid, base, digest)
	}
	if err := ValidateName(name); err != nil {
		return Path{}, fmt.Errorf("%w %q: %v", ErrInvalid, base, err)
	}
	return Path{Digest: digest, Name: name}, nil
}

// Parse parses an absolute store path, which must lie directly in storeDir.
// Like Nix, it accepts a path that canonicalises to one in storeDir
// (a trailing slash, "//").
func Parse(storeDir, abs string) (Path, error) {
	if !strings.HasPrefix(abs, "/") {
		return Path{}, fmt.Errorf("%w %q: not an absolute path", ErrInvalid, abs)
	}
	clean := path.Clean(abs)
	dir, base := path.Split(clean)
	if path.Clean(dir) != path.Clean(storeDir) {
		return Path{}, fmt.Errorf("%w %q: not in the store dir %s", ErrInvalid, abs, storeDir)
	}
	return ParseBase(base)
}

// ValidateName checks a store path name by the rules of Nix 2.21 and later.
func ValidateName(name string) error {
	switch {
	case name == "":
		return errors.New("name must not be empty")
	case len(name) > MaxNameLen:
		return fmt.Errorf("name is longer than %d characters", MaxNameLen)
	case name == "." || name == "..":
		return fmt.Errorf("name %q is not valid", name)
	case strings.HasPrefix(name, ".-") || strings.HasPrefix(name, "..-"):
		return fmt.Errorf("name %q is not valid: its first dash-separated part must not be %q", name, name[:strings.IndexByte(name, '-')])
	}
	for i := 0; i < len(name); i++ {
		if !validNameByte(name[i]) {
			return fmt.Errorf("name %q contains illegal character %q", name, name[i])
		}
	}
	return nil
}

func validNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		strings.IndexByte("+-._?=", c) >= 0
}

// Base returns "<hash>-<name>".
func (p Path) Base() string { return p.Digest + "-" + p.Name }

// Abs returns the path in storeDir.
func (p Path) Abs(storeDir string) string { return storeDir + "/" + p.Base() }

// String returns the base name.
func (p Path) String() string { return p.Base() }

// IsZero reports whether p is the zero Path.
func (p Path) IsZero() bool { return p == Path{} }
