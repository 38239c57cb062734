package floxconf

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/nixsign/nixsign/internal/fsutil"
)

// SetFile sets publish.signing_private_key to value in the flox.toml at file
// (see [UserFile]), as [Set] does, and returns [Validate]'s warnings. A
// missing file is created with mode 0600, as flox creates it (the file may
// hold floxhub_token), in a directory created with mode 0755. An existing
// file keeps its mode and owner. The write is atomic: a temporary file in the
// same directory, synced, then renamed over file. When file is a symbolic
// link, its target is edited, unless it points into the Nix store
// (home-manager), which is an error. Nothing is written when the file already
// holds value.
func SetFile(file, value string) (warnings []string, err error) {
	warnings, err = Validate(value, Source{})
	if err != nil {
		return nil, err
	}
	err = editFile(file, func(src []byte) ([]byte, error) { return set(file, src, value) })
	if err != nil {
		return nil, err
	}
	return warnings, nil
}

// UnsetFile removes publish.signing_private_key from the flox.toml at file,
// as [Unset] does, writing as [SetFile] does. removed is false, and nothing is
// written, when the file or the key does not exist; `flox config --delete`
// fails in that case instead.
func UnsetFile(file string) (removed bool, err error) {
	err = editFile(file, func(src []byte) ([]byte, error) {
		out, ok, err := unset(file, src)
		removed = ok
		return out, err
	})
	if errors.Is(err, errNoFile) {
		return false, nil
	}
	return removed, err
}

var errNoFile = errors.New("no file")

// editFile applies edit to the contents of file and writes the result back
// atomically when it changed.
func editFile(file string, edit func([]byte) ([]byte, error)) error {
	target, err := resolve(file)
	if err != nil {
		return err
	}
	src, err := fsutil.ReadSmallFile(target, maxFileSize)
	exists := err == nil
	var mode fs.FileMode = 0o600
	owner := -1
	group := -1
	switch {
	case exists:
		fi, err := os.Stat(target)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s: not a regular file", file)
		}
		mode = fi.Mode().Perm()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			owner, group = int(st.Uid), int(st.Gid)
		}
	case os.IsNotExist(err):
		src = nil
	default:
		return err
	}
	out, err := edit(src)
	if err != nil {
		return err
	}
	if bytes.Equal(out, src) {
		if !exists {
			return errNoFile
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	// Only root can give a file away; anyone else writes their own files.
	return fsutil.WriteFile(target, out, mode, &fsutil.WriteOptions{
		Chown: owner >= 0 && os.Geteuid() == 0, UID: owner, GID: group})
}

// resolve follows symbolic links at file, refusing links into the Nix store
// (whose files cannot be written, and whose owner, home-manager or NixOS,
// would undo the edit).
func resolve(file string) (string, error) {
	target := file
	for range 40 {
		fi, err := os.Lstat(target)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return target, nil
		}
		link, err := os.Readlink(target)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(target), link)
		}
		if strings.HasPrefix(link, "/nix/store/") {
			return "", fmt.Errorf("%s: links into the Nix store (%s), so home-manager or NixOS manages it; set %s in that configuration instead", file, link, Key)
		}
		target = link
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", file)
}
