package trust

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The checker answers for c.user. When that is the user running it (always,
// outside tests), what the user may open is what the system calls say. For
// another user (Machine.User), it is worked out from the modes, owners and
// groups of the files, as the kernel would: so that a test describes a user
// whom the daemon's socket directory keeps out.

// simulated reports whether the verdict is for a user other than the one
// running the checker.
func (c *checker) simulated() bool { return c.user.UID != os.Geteuid() }

// gids returns the groups of the user: the primary group, and the groups
// of the process (for the real user) or those /etc/group lists the user in.
func (c *checker) gids() []int {
	ids := []int{c.user.GID}
	if !c.simulated() {
		if gs, err := os.Getgroups(); err == nil {
			return append(ids, gs...)
		}
	}
	return append(ids, c.listedGIDs()...)
}

// listedGIDs returns the groups /etc/group lists the user as a member of.
func (c *checker) listedGIDs() []int {
	var ids []int
	dbEntries(c.m, "/etc/group", func(f []string) bool {
		if len(f) >= 4 && slices.Contains(splitList(f[3]), c.user.Name) {
			if id, err := strconv.Atoi(f[2]); err == nil {
				ids = append(ids, id)
			}
		}
		return true
	})
	return ids
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// permits reports whether the mode of fi grants the user the access bits
// want (4 read, 2 write, 1 search/execute), owner, then group, then others,
// as the kernel checks them. Root may do anything.
func (c *checker) permits(fi fs.FileInfo, want fs.FileMode) bool {
	if c.user.UID == 0 {
		return true
	}
	uid, gid, ok := ownerGroup(fi)
	perm := fi.Mode().Perm()
	switch {
	case !ok:
		return true
	case uid == c.user.UID:
		return perm>>6&want == want
	case slices.Contains(c.gids(), gid):
		return perm>>3&want == want
	}
	return perm&want == want
}

// blocked is a directory the user may not search.
type blocked struct {
	Dir  string
	Info fs.FileInfo
}

// blocker returns the first directory above p that the user may not
// search, by the modes (nil when there is none, or when one is missing).
// The machine's root directory (a test's temporary directory) is skipped.
func (c *checker) blocker(p string) *blocked {
	var dirs []string
	for d := path.Dir(path.Clean("/" + p)); ; d = path.Dir(d) {
		dirs = append(dirs, d)
		if d == "/" {
			break
		}
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if dirs[i] == "/" && c.m.root != "" {
			continue
		}
		fi, err := c.m.stat(dirs[i])
		if err != nil {
			return nil
		}
		if fi.IsDir() && !c.permits(fi, 0o1) {
			return &blocked{Dir: dirs[i], Info: fi}
		}
	}
	return nil
}

// pathExists is Nix's pathExists as the user would run it: lstat p; only
// ENOENT and ENOTDIR mean that p is absent, any other error (commonly
// EACCES, from a directory the user may not search) is returned, as Nix
// throws it.
func (c *checker) pathExists(p string) (bool, error) {
	if c.simulated() && c.blocker(p) != nil {
		return false, &fs.PathError{Op: "lstat", Path: p, Err: syscall.EACCES}
	}
	_, err := c.m.lstat(p)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return false, nil
	}
	return false, err
}

// writableDir reports whether the user may read and write the directory p,
// as access(2) with R_OK|W_OK tells.
func (c *checker) writableDir(p string) bool {
	if !c.simulated() {
		return writable(c.m.host(p))
	}
	fi, err := c.m.stat(p)
	return err == nil && c.blocker(p) == nil && c.permits(fi, 0o6)
}

// socketError returns why the user cannot use the daemon socket sock: nix
// fails with it ("getting status of ..." when it chooses the store, or
// "cannot connect to ..."), and the fix. It is "" when nothing stops the
// user, or the socket does not exist (a warning elsewhere says so).
func (c *checker) socketError(sock string, auto bool) (string, *Fix) {
	exists, err := c.pathExists(sock)
	if err == nil && exists {
		fi, serr := c.m.stat(sock)
		if serr == nil && (c.simulated() && !c.permits(fi, 0o2) || !c.simulated() && !mayWrite(c.m.host(sock))) {
			err = &fs.PathError{Op: "connect", Path: sock, Err: syscall.EACCES}
		}
	}
	if err == nil {
		return "", nil
	}
	var msg string
	if auto {
		msg = fmt.Sprintf("nix cannot open the store: getting status of %s: %v", sock, errText(err))
	} else {
		msg = fmt.Sprintf("nix cannot open the store: cannot connect to the daemon socket %s: %v", sock, errText(err))
	}
	if !errors.Is(err, fs.ErrPermission) {
		return msg, &Fix{Message: "check " + sock + " and the directories above it"}
	}
	return msg, c.accessFix(sock)
}

func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// accessFix says how to let the user through to the socket: commonly, by
// joining the group that owns its directory (Debian's nix-setup-systemd
// makes /nix/var/nix/daemon-socket 0770 root:nix-users).
func (c *checker) accessFix(sock string) *Fix {
	u := c.user.Name
	b := c.blocker(sock)
	target, fi := sock, fs.FileInfo(nil)
	if b != nil {
		target, fi = b.Dir, b.Info
	} else if s, err := c.m.stat(sock); err == nil {
		fi = s
	}
	if fi == nil {
		return &Fix{Message: "check the permissions of " + sock + " and the directories above it"}
	}
	uid, gid, _ := ownerGroup(fi)
	group := lookupName(c.m, "/etc/group", gid)
	desc := fmt.Sprintf("%s (mode %04o, owner %s, group %s)", target, fi.Mode().Perm(), lookupName(c.m, "/etc/passwd", uid), group)
	want := fs.FileMode(0o1)
	if target == sock {
		want = 0o2
	}
	if fi.Mode().Perm()>>3&want != want {
		return &Fix{Message: desc + " does not let user " + u + " in: ask an administrator to give " + u + " access"}
	}
	if slices.Contains(c.listedGIDs(), gid) || c.user.GID == gid {
		return &Fix{Message: "user " + u + " is in the group " + group + ", which owns " + desc + ", but this session started before it joined: log in again", Command: "newgrp " + group}
	}
	cmd := "sudo usermod -aG " + shellQuote(group) + " " + shellQuote(u)
	if c.goos == "darwin" {
		cmd = "sudo dseditgroup -o edit -a " + shellQuote(u) + " -t user " + shellQuote(group)
	}
	return &Fix{Message: "add user " + u + " to the group " + group + ", which owns " + desc + ", then log in again", Command: cmd}
}
