package fsutil

import "golang.org/x/sys/unix"

// renameNoReplace is renameat2(2) with RENAME_NOREPLACE (Linux 3.15 and
// later, on most file systems): it fails with EEXIST if anything is at
// newname. EINVAL or ENOSYS means that the system cannot do it.
func renameNoReplace(oldname, newname string) error {
	for {
		err := unix.Renameat2(unix.AT_FDCWD, oldname, unix.AT_FDCWD, newname, unix.RENAME_NOREPLACE)
		if err != unix.EINTR {
			return err
		}
	}
}
