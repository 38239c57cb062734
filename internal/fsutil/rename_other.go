//go:build !linux

package fsutil

import "syscall"

// renameNoReplace is not available here: WriteFile links instead.
func renameNoReplace(oldname, newname string) error { return syscall.ENOSYS }
