package nixconf

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

// Replacing a nix.conf file
//
// EditFile never leaves a file half-written: the new text goes to a
// temporary file in the same directory, which is synced and then renamed
// over the old one, so that a reader (or a crash) sees the old file or the
// new one. Concurrent edits are serialised with flock(2) on the lock file
// FILE.lock beside it, which stays in place. The previous version is kept as
// FILE.nixsign-bak (replaced at every edit). A missing file is created with
// mode 0644 (its directories 0755); an existing one keeps its mode and owner.
// A symbolic link is followed, and the file it points to is replaced.

// BackupSuffix is appended to a file's name to name its backup.
const BackupSuffix = ".nixsign-bak"

// LockSuffix is appended to a file's name to name its lock file.
const LockSuffix = ".lock"

// testHookBeforeRename, if set, runs after the new text is written and
// synced and before it replaces the file.
var testHookBeforeRename func()

// A FileEdit is what EditFile did.
type FileEdit struct {
	Path    string // the file edited, symbolic links resolved
	Old     []byte // the previous text (nil when the file did not exist)
	New     []byte
	Existed bool
	Changed bool   // New differs from Old, and (unless dry-run) was written
	Backup  string // the backup file written, or ""
}

// An EditError is a failure to edit a file; nothing was changed.
type EditError struct {
	Path string
	Op   string // what failed: "lock", "read", "write", ...
	Err  error
}

func (e *EditError) Error() string {
	msg := fmt.Sprintf("cannot %s %s: %v", e.Op, e.Path, e.Err)
	if errors.Is(e.Err, fs.ErrPermission) && !errors.Is(e.Err, syscall.EROFS) {
		msg += " (run as root?)"
	}
	return msg
}

func (e *EditError) Unwrap() error { return e.Err }

// EditFile replaces the text of the file at path with what edit returns for
// the old text (nil, with exists false, for a missing file), as described
// above. When edit returns the old text unchanged, or dryRun is set, nothing
// is written (but the directory and lock file may be created). An error from
// edit is returned as is.
func EditFile(path string, dryRun bool, edit func(old []byte, exists bool) ([]byte, error)) (*FileEdit, error) {
	real, err := resolve(path)
	if err != nil {
		return nil, &EditError{path, "resolve", err}
	}
	fe := &FileEdit{Path: real}
	dir := filepath.Dir(real)
	if dryRun {
		if err := fe.read(); err != nil {
			return nil, err
		}
		return fe, fe.apply(edit)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, &EditError{real, "create the directory of", err}
	}
	unlock, err := lockFile(real + LockSuffix)
	if err != nil {
		return nil, &EditError{real, "lock", err}
	}
	defer unlock()
	removeStaleTemps(real)
	if err := fe.read(); err != nil {
		return nil, err
	}
	if err := fe.apply(edit); err != nil || !fe.Changed {
		return fe, err
	}
	mode, uid, gid := fs.FileMode(0o644), -1, -1
	if fe.Existed {
		fi, err := os.Stat(real)
		if err != nil {
			return nil, &EditError{real, "read", err}
		}
		mode = fi.Mode().Perm()
		uid, gid = owner(fi)
		if err := writeAtomic(real+BackupSuffix, fe.Old, mode, uid, gid, nil); err != nil {
			return nil, &EditError{real, "back up", err}
		}
		fe.Backup = real + BackupSuffix
	}
	if err := writeAtomic(real, fe.New, mode, uid, gid, testHookBeforeRename); err != nil {
		fe.Changed = false
		return nil, &EditError{real, "write", err}
	}
	return fe, nil
}

func (fe *FileEdit) read() error {
	data, err := os.ReadFile(fe.Path)
	switch {
	case err == nil:
		fe.Old, fe.Existed = data, true
	case errors.Is(err, fs.ErrNotExist):
	default:
		return &EditError{fe.Path, "read", err}
	}
	return nil
}

func (fe *FileEdit) apply(edit func([]byte, bool) ([]byte, error)) error {
	data, err := edit(fe.Old, fe.Existed)
	if err != nil {
		return err
	}
	fe.New = data
	fe.Changed = !bytes.Equal(data, fe.Old) || !fe.Existed && data != nil
	return nil
}

// resolve follows symbolic links in path as far as they lead, so that a
// link to a file not yet created resolves to where it will be created.
func resolve(path string) (string, error) {
	path = filepath.Clean(path)
	for range 40 {
		target, err := os.Readlink(path)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) && (errors.Is(err, syscall.EINVAL) || errors.Is(err, fs.ErrNotExist)) {
				return path, nil // not a link, or nothing there yet
			}
			return "", err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(path), target)
		}
		path = filepath.Clean(target)
	}
	return "", syscall.ELOOP
}

// tempPrefix names the temporary files of path's edits.
func tempPrefix(path string) string { return "." + filepath.Base(path) + ".nixsign-" }

// writeAtomic writes data to a new file beside path and renames it over
// path. uid and gid are -1 to keep the creator's.
func writeAtomic(path string, data []byte, mode fs.FileMode, uid, gid int, beforeRename func()) error {
	err := fsutil.WriteFile(path, data, mode, &fsutil.WriteOptions{
		Chown: uid >= 0, UID: uid, GID: gid,
		TempPrefix:   tempPrefix(path),
		BeforeRename: beforeRename,
	})
	if pe := new(fs.PathError); errors.As(err, &pe) && pe.Op == "chown" {
		return fmt.Errorf("keeping the owner %d:%d: %w", uid, gid, err)
	}
	return err
}

// removeStaleTemps removes the temporary files of edits that died before
// renaming them. The caller holds the lock, so no edit is under way.
func removeStaleTemps(path string) {
	names, _ := filepath.Glob(filepath.Join(filepath.Dir(path), globEscape(tempPrefix(path))+"*"))
	for _, n := range names {
		os.Remove(n)
	}
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}
