package store

// How the store is found and why it cannot be used: whether Nix is
// installed, whether a daemon socket or a store directory is reachable by
// this user, and the hints that say who may get through and how.

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

func (o *Options) statFile(name string) (fs.FileInfo, error) {
	if o.stat != nil {
		return o.stat(name)
	}
	return os.Stat(name)
}

// missing reports whether stat's error means that there is no such file,
// as Nix's pathExists takes it: ENOENT or ENOTDIR. Any other error
// (EACCES) is a file that may exist but cannot be reached.
func missing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR)
}

// nixInstalled reports whether Nix is installed here, and how that shows:
// its state directory exists, or nix-daemon or nix-store is on PATH.
func nixInstalled(opts *Options) (string, bool) {
	if sd := stateDir(opts); sd != "" {
		if _, err := opts.statFile(sd); err == nil || !missing(err) {
			return sd + " exists", true
		}
	}
	lookPath := opts.lookPath
	if lookPath == nil {
		lookPath = exec.LookPath
	}
	for _, prog := range []string{"nix-daemon", "nix-store"} {
		if p, err := lookPath(prog); err == nil {
			return p + " is installed", true
		}
	}
	return "", false
}

// socketAccessError is the error for a daemon socket that this user cannot
// reach: err is an error from stat or connect (what says which), usually
// EACCES. Where a directory on the way is closed to this user, it names the
// directory, its mode, owner and group, and the group to join.
func socketAccessError(what, sock string, err error, opts *Options) error {
	cause := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		cause = errno.Error()
	}
	msg := "cannot connect to the Nix daemon: " + what + " " + sock + ": " + cause
	if errors.Is(err, fs.ErrPermission) {
		if dir, fi := closedDir(sock, opts); fi != nil {
			msg += "; " + dirAccessHint(dir, fi, opts)
		}
	}
	return &accessError{msg, err}
}

// accessError is an error with a message of its own; it wraps the cause
// for errors.Is(err, fs.ErrPermission).
type accessError struct {
	msg string
	err error
}

func (e *accessError) Error() string { return e.msg }
func (e *accessError) Unwrap() error { return e.err }

// closedDir returns the first directory on the way to path that stat
// cannot go through, and its FileInfo, or "", nil.
func closedDir(path string, opts *Options) (string, fs.FileInfo) {
	path, err := filepath.Abs(path)
	if err != nil {
		return "", nil
	}
	dir := "/"
	fi, err := opts.statFile(dir)
	if err != nil {
		return "", nil
	}
	for _, elem := range strings.Split(strings.Trim(path, "/"), "/") {
		next := filepath.Join(dir, elem)
		nfi, err := opts.statFile(next)
		if errors.Is(err, fs.ErrPermission) {
			return dir, fi
		}
		if err != nil {
			return "", nil
		}
		dir, fi = next, nfi
	}
	return "", nil
}

// dirAccessHint says who may enter dir, and what this user can do about it.
func dirAccessHint(dir string, fi fs.FileInfo, opts *Options) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return dir + " is closed to this user"
	}
	mode := st.Mode & 0o7777
	owner := strconv.FormatUint(uint64(st.Uid), 10)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	gid := strconv.FormatUint(uint64(st.Gid), 10)
	lookupGroup := opts.lookupGroup
	if lookupGroup == nil {
		lookupGroup = user.LookupGroupId
	}
	group := "gid " + gid
	if g, err := lookupGroup(gid); err == nil {
		group = g.Name
	}
	me := "uid " + strconv.Itoa(os.Geteuid())
	if u, err := user.Current(); err == nil {
		me = u.Username
	}
	if mode&0o010 == 0 {
		return fmt.Sprintf("%s (mode %04o, owner %s) lets in only its owner: run as %s", dir, mode, owner, owner)
	}
	return fmt.Sprintf("%s (mode %04o, owner %s, group %s) lets in only its owner and group: add %s to the group %s (usermod -aG %s %s) and log in again",
		dir, mode, owner, group, me, group, group, me)
}

// localPossible reports whether `nix-daemon --stdio` can serve the local
// store: it is installed and the store's database is writable.
func localPossible(dir string, opts *Options) (string, bool) {
	prog, err := nixDaemon(opts)
	if err != nil {
		return "nix-daemon is not installed", false
	}
	db := filepath.Join(stateDir(opts), "db")
	if err := unix.Access(db, unix.W_OK); err != nil {
		return fmt.Sprintf("%s is not writable (%v)", db, err), false
	}
	return fmt.Sprintf("%s found and %s is writable", prog, db), true
}

func stateDir(opts *Options) string {
	if s := opts.getenv("NIX_STATE_DIR"); s != "" {
		return s
	}
	return "/nix/var/nix"
}

func nixDaemon(opts *Options) (string, error) {
	if opts.NixDaemon != "" {
		return opts.NixDaemon, nil
	}
	return exec.LookPath("nix-daemon")
}
