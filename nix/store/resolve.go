package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nixsign/nixsign/nix/storepath"
)

// Resolve turns a command-line argument into the store path it names, as
// Nix's followLinksToStorePath does: the argument is made absolute (without
// resolving symlinks in it), then, while it is not inside the store
// directory and is a symlink, replaced by the symlink's target (so
// ./result works); the store path is then the first component below the
// store directory (/nix/store/<hash>-x/bin/hello names /nix/store/<hash>-x).
//
// For a files store whose files live elsewhere (files?root=DIR), a path
// under that directory names the store path of the same base name.
func Resolve(s Store, arg string) (string, error) {
	dir := s.Dir()
	real := dir
	if r, ok := s.(interface{ RealDir() string }); ok {
		real = r.RealDir()
	}
	p, err := filepath.Abs(arg)
	if err != nil {
		return "", err
	}
	for i := 0; !inDir(p, dir) && !inDir(p, real); i++ {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 || i >= 40 {
			break
		}
		target, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = filepath.Clean(target)
	}
	var rest string
	switch {
	case inDir(p, dir):
		rest = p[len(dir)+1:]
	case inDir(p, real):
		rest = p[len(real)+1:]
	default:
		return "", fmt.Errorf("path '%s' is not in the Nix store", p)
	}
	base, _, _ := strings.Cut(rest, "/")
	sp, err := storepath.ParseBase(base)
	if err != nil {
		return "", fmt.Errorf("path '%s': %v", p, err)
	}
	return sp.Abs(dir), nil
}

func inDir(p, dir string) bool {
	return len(p) > len(dir)+1 && strings.HasPrefix(p, dir) && p[len(dir)] == '/'
}

// ResolveAll resolves each argument and drops repeats, keeping the first.
func ResolveAll(s Store, args []string) ([]string, error) {
	seen := make(map[string]bool, len(args))
	out := make([]string, 0, len(args))
	for _, a := range args {
		p, err := Resolve(s, a)
		if err != nil {
			return nil, err
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}
