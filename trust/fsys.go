package trust

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"
	"time"
)

// machineFS reads the files of the machine the checker describes: the real
// root directory, or (in tests) a directory standing for it, where symbolic
// links are resolved as if it were the root.
type machineFS struct {
	root string // "" for the real root
}

// host returns the name of the absolute path p on the host.
func (m machineFS) host(p string) string {
	if m.root == "" {
		return p
	}
	return m.root + path.Clean("/"+p)
}

// lstat returns information about the absolute path p, not following a
// final symbolic link but following any before it.
func (m machineFS) lstat(p string) (fs.FileInfo, error) {
	real, _, err := m.resolve(p, false)
	if err != nil {
		return nil, err
	}
	return os.Lstat(m.host(real))
}

// stat returns information about the absolute path p, following links.
func (m machineFS) stat(p string) (fs.FileInfo, error) {
	real, _, err := m.resolve(p, true)
	if err != nil {
		return nil, err
	}
	return os.Stat(m.host(real))
}

func (m machineFS) exists(p string) bool {
	_, err := m.lstat(p)
	return err == nil
}

func (m machineFS) readFile(p string) ([]byte, error) {
	real, _, err := m.resolve(p, true)
	if err != nil {
		return nil, err
	}
	return os.ReadFile(m.host(real))
}

// A link is one symbolic link met while resolving a path.
type link struct {
	Path   string // the link, with the links before it resolved
	Target string // as written
	MTime  time.Time
}

// resolve resolves the symbolic links in the absolute path p, the final
// one too when follow is set, and returns the path they lead to and the
// links met on the way. A component that does not exist ends the
// resolution: the rest is appended as it is, with no error.
func (m machineFS) resolve(p string, follow bool) (string, []link, error) {
	var links []link
	rest := strings.Split(strings.TrimPrefix(path.Clean("/"+p), "/"), "/")
	done := "/"
	for hops := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		if c == "" || c == "." {
			continue
		}
		if c == ".." {
			done = path.Dir(done)
			continue
		}
		next := path.Join(done, c)
		if len(rest) == 0 && !follow {
			return next, links, nil
		}
		fi, err := os.Lstat(m.host(next))
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			if err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				return "", links, err
			}
			done = next
			if err != nil {
				return path.Join(append([]string{done}, rest...)...), links, nil
			}
			continue
		}
		if hops++; hops > 40 {
			return "", links, &fs.PathError{Op: "resolve", Path: p, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(m.host(next))
		if err != nil {
			return "", links, err
		}
		links = append(links, link{Path: next, Target: target, MTime: fi.ModTime()})
		if strings.HasPrefix(target, "/") {
			done = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return done, links, nil
}

// nixFS is the machine's files as nixconf.Env.FS wants them: nil for the
// real root, so that Nix's own path handling applies.
func (m machineFS) nixFS() fs.FS {
	if m.root == "" {
		return nil
	}
	return rootedFS{m}
}

// rootedFS is an fs.FS over a machineFS, resolving links inside the root.
type rootedFS struct{ m machineFS }

func (r rootedFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	real, _, err := r.m.resolve("/"+name, true)
	if err != nil {
		return nil, err
	}
	return os.Open(r.m.host(real))
}

func (r rootedFS) ReadFile(name string) ([]byte, error) { return r.m.readFile("/" + name) }

func (r rootedFS) Stat(name string) (fs.FileInfo, error) { return r.m.stat("/" + name) }

func (r rootedFS) Lstat(name string) (fs.FileInfo, error) { return r.m.lstat("/" + name) }

func (r rootedFS) ReadLink(name string) (string, error) {
	real, _, err := r.m.resolve("/"+name, false)
	if err != nil {
		return "", err
	}
	return os.Readlink(r.m.host(real))
}

var (
	_ fs.ReadFileFS = rootedFS{}
	_ fs.StatFS     = rootedFS{}
	_ fs.ReadLinkFS = rootedFS{}
)
