package secretkey

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/nixsign/nixsign/internal/fsutil"
)

// WriteFile writes a secret key file (data is Key.Encode's result) with
// mode 0600, creating missing directories with mode 0700. It writes a
// temporary file in the same directory and moves it into place, so that
// path holds either nothing, its old contents or all of data. Without force
// it refuses to replace an existing file (or symbolic link); with force it
// replaces it atomically.
func WriteFile(path string, data []byte, force bool) error {
	return writeFile(path, data, 0o600, force)
}

// WritePublicFile is WriteFile for a public key file (sign.PublicKey's
// String), with mode 0644.
func WritePublicFile(path string, data []byte, force bool) error {
	return writeFile(path, data, 0o644, force)
}

func writeFile(path string, data []byte, perm fs.FileMode, force bool) error {
	fail := func(problem string, err error) error {
		return &FileError{Path: path, Kind: Unwritable, Problem: problem + ": " + errText(err), Fix: "check the path and its directory", Err: err}
	}
	exists := func() error {
		return &FileError{Path: path, Kind: Exists, Problem: "already exists",
			Fix: "refusing to overwrite a key; remove it first or ask to replace it (--force)", Err: fs.ErrExist}
	}
	if path == "" {
		return &FileError{Path: path, Kind: Unwritable, Problem: "no file given", Fix: "give the path to write the key to"}
	}
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return exists()
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fail("cannot create its directory", err)
	}
	// Without force, fsutil links the new file into place, which fails if
	// anything is at path: the atomic form of O_EXCL.
	err := fsutil.WriteFile(path, data, perm, &fsutil.WriteOptions{NoReplace: !force})
	if err == nil {
		return nil
	}
	var op string // the step that failed
	if pe := new(fs.PathError); errors.As(err, &pe) {
		op = pe.Op
	}
	switch op {
	case "createtemp":
		return fail("cannot create a temporary file beside it", err)
	case "chmod":
		return fail("cannot set the mode of a temporary file beside it", err)
	case "rename":
		return fail("cannot replace it", err)
	case "link":
		if errors.Is(err, fs.ErrExist) {
			return exists()
		}
		return fail("cannot create it", err)
	}
	return fail("cannot write a temporary file beside it", err)
}
