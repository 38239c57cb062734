package cache

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// A tempFile is a file written under a temporary name in the directory of
// its final name, then renamed into place, so that readers see all of it
// or nothing. Temporary names start with "." and end in ".tmp": nothing
// reading a cache takes them for a narinfo or a NAR.
type tempFile struct {
	f    *os.File
	w    io.Writer // f, or what testHookWriter made of it
	name string    // the temporary path
	done bool
}

// testHookWriter, when set by a test, wraps the writer of every temporary
// file, given the directory and prefix (to inject errors such as a full
// disk).
var testHookWriter func(dir, prefix string, w io.Writer) io.Writer

// createTemp creates a temporary file in dir. Like Nix, it is created with
// mode 0666 less the umask, so that a cache served by another user stays
// readable.
func createTemp(dir, prefix string) (*tempFile, error) {
	for range 100 {
		name := filepath.Join(dir, "."+prefix+"-"+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		t := &tempFile{f: f, w: f, name: name}
		if testHookWriter != nil {
			t.w = testHookWriter(dir, prefix, f)
		}
		return t, nil
	}
	return nil, &fs.PathError{Op: "create", Path: dir, Err: fs.ErrExist}
}

func (t *tempFile) Write(p []byte) (int, error) { return t.w.Write(p) }

// abort removes the temporary file, unless commit has moved it.
func (t *tempFile) abort() {
	if t.done {
		return
	}
	t.done = true
	t.f.Close()
	os.Remove(t.name)
}

// commit syncs the file's data (see syncFiles) and moves it to path. With keep, an
// existing file at path is kept (it has the same contents: NAR files are
// named by their hash) and the temporary file removed; created then says
// whether path is the file just written.
func (t *tempFile) commit(path string, keep bool) (created bool, err error) {
	defer t.abort()
	if syncFiles {
		if err := t.f.Sync(); err != nil {
			return false, err
		}
	}
	if err := t.f.Close(); err != nil {
		return false, err
	}
	if keep {
		if _, err := os.Lstat(path); err == nil {
			return false, nil
		}
	}
	if err := os.Rename(t.name, path); err != nil {
		return false, err
	}
	t.done = true
	return true, nil
}

// writeFile writes data to path atomically (temporary file and rename),
// replacing what is there.
func writeFile(path string, data []byte) error {
	t, err := createTemp(filepath.Dir(path), filepath.Base(path))
	if err != nil {
		return writeError(path, err)
	}
	defer t.abort()
	if _, err := t.Write(data); err != nil {
		return writeError(path, err)
	}
	if _, err := t.commit(path, false); err != nil {
		return writeError(path, err)
	}
	return nil
}

// syncFiles says whether a file's data is synced before it is renamed into
// place (tests that write thousands of files turn it off).
//
// Only the data is synced, not the directory: a crash may then lose a file
// just renamed into place, which leaves the cache as it was before, but
// never leaves a file whose contents are missing. A journaling file system
// commits renames in order, so a narinfo that survives a crash has its NAR
// file. (Nix 2.8.0 syncs nothing.)
var syncFiles = true

// writeError is the one-line error for failing to write path: "cannot
// write PATH: REASON", with the reason stripped of the temporary name.
func writeError(path string, err error) error {
	return &fileError{op: "write", path: path, err: cause(err)}
}

// readError is the one-line error for failing to read path.
func readError(path string, err error) error {
	return &fileError{op: "read", path: path, err: cause(err)}
}

// fileError is a failure to read or write a file of the cache. It wraps
// the cause (fs.ErrNotExist, syscall.ENOSPC, syscall.EROFS, ...) for
// errors.Is.
type fileError struct {
	op   string // "read" or "write"
	path string // the cache file, or the directory of a new NAR file
	err  error
}

func (e *fileError) Error() string { return fmt.Sprintf("cannot %s %s: %v", e.op, e.path, e.err) }

func (e *fileError) Unwrap() error { return e.err }

// cause strips the path from *fs.PathError and *os.LinkError, which name
// the temporary file rather than the one the user knows.
func cause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
