// Package fsutil reads small files that come from outside the program
// (configuration files, key files, the narinfo files of a binary cache)
// without trusting them to be small, or even to be files, and writes files
// atomically.
//
// os.ReadFile("/dev/zero") reads until memory runs out, and
// os.ReadFile of a named pipe (FIFO) blocks until some other process opens
// it for writing, which may be never. ReadSmallFile opens the file without
// blocking (O_NONBLOCK), checks with fstat that it is a regular file, and
// reads at most a given number of bytes. For a FIFO at /tmp/p and a 1 MiB
// limit:
//
//	ReadSmallFile("/tmp/p", 1<<20)        read /tmp/p: is a named pipe (FIFO), not a regular file
//	ReadSmallFile("/dev/zero", 1<<20)     read /dev/zero: is a character device, not a regular file
//	ReadSmallFile("/var/big", 1<<20)      read /var/big: is larger than 1 MiB
//	ReadSmallFile("/etc", 1<<20)          read /etc: is a directory
//	ReadSmallFile("/nonexistent", 1<<20)  open /nonexistent: no such file or directory
//
// The errors are *fs.PathError values, as os.ReadFile's are: callers that
// test errors.Is(err, fs.ErrNotExist) keep working, and ErrNotRegular and
// ErrTooLarge tell the new failures apart. A directory's error also
// matches syscall.EISDIR and reads exactly as os.ReadFile's does.
//
// The null device (/dev/null, or a link to it) reads as an empty file, as
// it does with os.ReadFile: pointing a configuration file at /dev/null is
// a common way to turn it off.
//
// WriteFile is os.WriteFile made atomic: the new content goes to a
// temporary file beside the old one, which is synced and then renamed over
// it, so that a reader, or the system after a crash, sees the old file or
// the new one and never a part. Its mode is exact whatever the umask, it
// can keep an owner, and it can refuse to replace anything (for a secret
// key). Its errors name the file written, never the temporary one:
//
//	WriteFile("/etc/nix/nix.conf", data, 0o644, nil)   createtemp /etc/nix/nix.conf: read-only file system
//	WriteFile("/k/key", data, 0o600, &WriteOptions{NoReplace: true})   link /k/key: file exists
package fsutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sync"
	"syscall"
)

// ErrNotRegular is matched (errors.Is) by the error for a file that is a
// directory, a named pipe, a socket or a device other than /dev/null.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is matched (errors.Is) by the error for a file larger than
// the limit it was read with.
var ErrTooLarge = errors.New("file too large")

// ReadSmallFile returns the contents of the regular file name (following
// symbolic links), which must hold at most max bytes. It never blocks on a
// named pipe or reads more than max+1 bytes. See the package comment for
// its errors.
func ReadSmallFile(name string, max int64) ([]byte, error) {
	return read(name, max, 0)
}

// ReadSmallFileNoFollow is ReadSmallFile, but fails if name itself is a
// symbolic link (O_NOFOLLOW); the error then matches syscall.ELOOP.
// Symbolic links among the parent directories are followed.
func ReadSmallFileNoFollow(name string, max int64) ([]byte, error) {
	return read(name, max, syscall.O_NOFOLLOW)
}

func read(name string, max int64, flag int) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|flag, 0)
	if err != nil {
		if flag&syscall.O_NOFOLLOW != 0 && errors.Is(err, syscall.ELOOP) {
			if fi, lerr := os.Lstat(name); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
				err = &fs.PathError{Op: "open", Path: name, Err: symlinkError{}}
			}
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		if isDevNull(fi) {
			return []byte{}, nil
		}
		return nil, &fs.PathError{Op: "read", Path: name, Err: &notRegularError{fi.Mode()}}
	}
	fsize := fi.Size()
	if fsize > max {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &tooLargeError{max}}
	}
	// One byte more than the file holds, so that EOF comes without a
	// second allocation when the size is right; at most max+1.
	buf := make([]byte, 0, fsize+1)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):cap(buf)]
		if left := max + 1 - int64(len(buf)); int64(len(room)) > left {
			room = room[:left]
		}
		n, err := f.Read(room)
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > max {
			return nil, &fs.PathError{Op: "read", Path: name, Err: &tooLargeError{max}}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// notRegularError says what a file is instead of a regular file.
type notRegularError struct{ mode fs.FileMode }

func (e *notRegularError) Error() string {
	if e.mode.IsDir() {
		return "is a directory" // as os.ReadFile says it
	}
	return "is " + typeName(e.mode) + ", not a regular file"
}

func (e *notRegularError) Is(target error) bool {
	return target == ErrNotRegular || (e.mode.IsDir() && target == syscall.EISDIR)
}

// typeName names the type of file that mode describes, with its article:
// "a regular file", "a directory", "a named pipe (FIFO)", "a socket",
// "a character device", "a block device", "a symbolic link".
func typeName(mode fs.FileMode) string {
	switch {
	case mode.IsRegular():
		return "a regular file"
	case mode.IsDir():
		return "a directory"
	case mode&fs.ModeSymlink != 0:
		return "a symbolic link"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeCharDevice != 0:
		return "a character device"
	case mode&fs.ModeDevice != 0:
		return "a block device"
	}
	return "not a regular file"
}

// tooLargeError is a file larger than the limit it was read with.
type tooLargeError struct{ max int64 }

func (e *tooLargeError) Error() string { return "is larger than " + size(e.max) }

func (e *tooLargeError) Is(target error) bool { return target == ErrTooLarge }

// symlinkError is a symbolic link opened with O_NOFOLLOW.
type symlinkError struct{}

func (symlinkError) Error() string { return "is a symbolic link" }
func (symlinkError) Unwrap() error { return syscall.ELOOP }

// size formats n bytes for a message: "64 KiB", "1 MiB", "1000 bytes".
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

var devNull = sync.OnceValue(func() uint64 {
	fi, err := os.Stat(os.DevNull)
	if err != nil || fi.Mode()&fs.ModeCharDevice == 0 {
		return ^uint64(0)
	}
	return rdev(fi)
})

// isDevNull reports whether fi is the null device, whatever its name.
func isDevNull(fi fs.FileInfo) bool {
	return fi.Mode()&fs.ModeCharDevice != 0 && rdev(fi) == devNull()
}

func rdev(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Rdev)
	}
	return ^uint64(1)
}
