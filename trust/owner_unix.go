//go:build unix

package trust

import (
	"io/fs"
	"syscall"

	"golang.org/x/sys/unix"
)

// owner returns the owner of a file.
func owner(fi fs.FileInfo) (uid int, ok bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), true
	}
	return -1, false
}

// writable reports whether the process may read and write the directory,
// as access(2) with R_OK|W_OK tells.
func writable(p string) bool { return unix.Access(p, unix.R_OK|unix.W_OK) == nil }

// ownerGroup returns the owner and group of a file.
func ownerGroup(fi fs.FileInfo) (uid, gid int, ok bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), int(st.Gid), true
	}
	return -1, -1, false
}

// mayWrite reports whether the process may write the file, as access(2)
// with W_OK tells.
func mayWrite(p string) bool { return unix.Access(p, unix.W_OK) == nil }
