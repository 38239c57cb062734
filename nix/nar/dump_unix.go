//go:build unix

package nar

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// The unix dumper works relative to open directory descriptors (openat,
// fstatat, readlinkat), which saves resolving every full path again and the
// overhead of os.File for each small file.

type dumper struct {
	e    *encoder
	dent []byte // getdents buffer, reused for every directory
}

func dumpPath(e *encoder, path string) error {
	var st unix.Stat_t
	if err := ignoringEINTR(func() error { return unix.Lstat(path, &st) }); err != nil {
		return &fs.PathError{Op: "lstat", Path: path, Err: err}
	}
	d := &dumper{e: e}
	return d.node(unix.AT_FDCWD, path, path, &st)
}

// node writes the node for name in the directory dirfd; path is its full
// path, for error messages.
func (d *dumper) node(dirfd int, name, path string, st *unix.Stat_t) error {
	e := d.e
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		e.raw(tokRegular)
		if st.Mode&unix.S_IXUSR != 0 {
			e.raw(tokExecutable)
		}
		e.raw(tokContents)
		e.u64(uint64(st.Size))
		if err := d.contents(dirfd, name, path, st.Size); err != nil {
			return err
		}
		e.pad(st.Size)
	case unix.S_IFLNK:
		target, err := readlinkat(dirfd, name)
		if err != nil {
			return &fs.PathError{Op: "readlink", Path: path, Err: err}
		}
		e.raw(tokSymlink)
		e.str(target)
	case unix.S_IFDIR:
		if err := d.dir(dirfd, name, path); err != nil {
			return err
		}
	default:
		return fmt.Errorf("file '%s' has an unsupported type", path)
	}
	e.raw(tokClose)
	return e.err
}

// contents copies the size bytes of a regular file. Like Nix, it opens the
// file even when it is empty, and fails if the file is shorter than its
// lstat size.
func (d *dumper) contents(dirfd int, name, path string, size int64) error {
	fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_NOFOLLOW)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	err = d.e.readFull(fdReader(fd), size)
	unix.Close(fd)
	if err != nil && err != d.e.err {
		return &fs.PathError{Op: "read", Path: path, Err: err}
	}
	return err
}

func (d *dumper) dir(dirfd int, name, path string) error {
	fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW)
	if err != nil {
		return &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer unix.Close(fd)
	names, err := d.readNames(fd)
	if err != nil {
		return &fs.PathError{Op: "readdirent", Path: path, Err: err}
	}
	onDisk, err := unhack(names, path)
	if err != nil {
		return err
	}
	slices.Sort(names) // byte order, as Nix's std::map<std::string>
	e := d.e
	e.raw(tokDirectory)
	for _, n := range names {
		dn := n
		if onDisk != nil && onDisk[n] != "" {
			dn = onDisk[n]
		}
		child := path + "/" + dn
		var st unix.Stat_t
		if err := ignoringEINTR(func() error { return unix.Fstatat(fd, dn, &st, unix.AT_SYMLINK_NOFOLLOW) }); err != nil {
			return &fs.PathError{Op: "lstat", Path: child, Err: err}
		}
		e.raw(tokEntry)
		e.str(n)
		e.raw(tokNode)
		if err := d.node(fd, dn, child, &st); err != nil {
			return err
		}
		e.raw(tokClose)
	}
	return nil
}

// useCaseHack is Nix's default for the use-case-hack setting: on macOS,
// `nix-store --restore` appends ~nix~case~hack~N to names that differ from
// an earlier one only in case, and `nix-store --dump` removes it again.
var useCaseHack = runtime.GOOS == "darwin"

const caseHackSuffix = "~nix~case~hack~"

// unhack removes case-hack suffixes from names in place, when useCaseHack
// is set, and returns a map from the NAR names that changed to the names
// on disk.
func unhack(names []string, dir string) (map[string]string, error) {
	if !useCaseHack {
		return nil, nil
	}
	var onDisk map[string]string
	for i, n := range names {
		if j := strings.Index(n, caseHackSuffix); j >= 0 {
			if onDisk == nil {
				onDisk = map[string]string{}
			}
			names[i] = n[:j]
			onDisk[n[:j]] = n
		}
	}
	if onDisk != nil {
		seen := make(map[string]bool, len(names))
		for _, n := range names {
			if seen[n] {
				return nil, fmt.Errorf("file name collision between '%s/%s' and '%s/%s'", dir, n, dir, onDisk[n])
			}
			seen[n] = true
		}
	}
	return onDisk, nil
}

func (d *dumper) readNames(fd int) ([]string, error) {
	if d.dent == nil {
		d.dent = make([]byte, 32<<10)
	}
	var names []string
	for {
		var n int
		err := ignoringEINTR(func() (err error) { n, err = unix.ReadDirent(fd, d.dent); return err })
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(d.dent[:n], -1, names)
	}
}

func openat(dirfd int, name string, flags int) (fd int, err error) {
	err = ignoringEINTR(func() error {
		fd, err = unix.Openat(dirfd, name, flags|unix.O_CLOEXEC, 0)
		return err
	})
	return fd, err
}

func readlinkat(dirfd int, name string) (string, error) {
	for size := 256; ; size *= 2 {
		b := make([]byte, size)
		var n int
		err := ignoringEINTR(func() (err error) { n, err = unix.Readlinkat(dirfd, name, b); return err })
		if err != nil {
			return "", err
		}
		if n < size {
			return string(b[:n]), nil
		}
	}
}

// fdReader reads from a file descriptor.
type fdReader int

func (f fdReader) Read(p []byte) (n int, err error) {
	err = ignoringEINTR(func() error { n, err = unix.Read(int(f), p); return err })
	if err != nil {
		return 0, err
	}
	if n == 0 && len(p) > 0 {
		return 0, io.EOF
	}
	return n, nil
}

func ignoringEINTR(f func() error) error {
	for {
		if err := f(); !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}
