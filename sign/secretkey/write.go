package secretkey

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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

func writeFile(path string, data []byte, perm fs.FileMode, force bool) (err error) {
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
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail("cannot create its directory", err)
	}
	// os.CreateTemp opens with O_CREATE|O_EXCL and mode 0600.
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fail("cannot create a temporary file beside it", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(perm); err != nil { // exact mode, whatever the umask
		return fail("cannot set the mode of a temporary file beside it", err)
	}
	if _, err := f.Write(data); err != nil {
		return fail("cannot write a temporary file beside it", err)
	}
	if err := f.Sync(); err != nil {
		return fail("cannot write a temporary file beside it", err)
	}
	if err := f.Close(); err != nil {
		return fail("cannot write a temporary file beside it", err)
	}
	if force {
		if err := os.Rename(tmp, path); err != nil {
			return fail("cannot replace it", err)
		}
	} else {
		// link(2) fails if path exists: the atomic form of O_EXCL.
		if err := os.Link(tmp, path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return exists()
			}
			return fail("cannot create it", err)
		}
		os.Remove(tmp)
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename or link in dir durable; failure is harmless.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
