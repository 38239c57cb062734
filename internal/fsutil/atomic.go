package fsutil

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// WriteOptions changes what WriteFile does. A nil *WriteOptions is the
// zero value: replace any file at the name, leave the owner to the writing
// process, name the temporary file after the file.
type WriteOptions struct {
	// NoReplace makes WriteFile fail, with an error matching fs.ErrExist,
	// when anything already exists at the name: a file, a directory, or a
	// symbolic link, dangling or not, which is not followed. The check and
	// the creation are one step (link(2)), so that no concurrent writer is
	// overwritten either. The file system must support hard links.
	NoReplace bool

	// Chown makes the file's owner UID and its group GID, as os.Chown does
	// (-1 leaves either one as the writing process made it). A failure to
	// change them is no error when the file already has them (a file system
	// that refuses chown, a user that may not call it, writing a file that
	// is theirs).
	Chown    bool
	UID, GID int

	// TempPrefix begins the name of the temporary file, which is created in
	// the same directory as the file, with random digits after the prefix.
	// It must not contain a path separator. The default is "." followed by
	// the file's base name and ".tmp-", as in ".nix.conf.tmp-1234567".
	// Callers that clean up after a crash give a prefix of their own, so as
	// to remove only their own temporary files.
	TempPrefix string

	// BeforeRename, if not nil, is called when the temporary file is
	// complete, synced and closed, just before it is put in place. It is
	// for tests, which can kill the process there or change the file.
	BeforeRename func()
}

// WriteFile writes data to the file name, as os.WriteFile does, but
// atomically: it writes a new file beside name and moves it into place.
// In detail:
//
//   - A reader of name sees its old content (nothing, with NoReplace) or
//     all of data, never a part of either, at every moment and after a
//     crash.
//   - The temporary file is created (O_EXCL, mode 0600) in name's
//     directory, written, given its owner (see WriteOptions.Chown) and
//     then exactly the mode perm (permission, setuid, setgid and sticky
//     bits) whatever the umask, fsynced and closed, then renamed to name,
//     or with NoReplace linked to it. Then name's directory is fsynced, so
//     that the new file survives a crash once WriteFile returns nil; a
//     failure of that last sync is ignored, as the file is in place.
//   - name is replaced, not rewritten: another hard link to the old file
//     keeps the old content, and a symbolic link at name is itself
//     replaced while its target is left alone. Callers that mean to
//     rewrite the target resolve the link first.
//   - On any error but "remove" (see below), and if BeforeRename panics,
//     the temporary file is removed and name is left as it was. Only a
//     crash, or a kill -9, between the creation of the temporary file and
//     its renaming leaves it behind (see WriteOptions.TempPrefix). With
//     NoReplace the move is one renameat2(RENAME_NOREPLACE) where the
//     system has it, else link(2) followed by the removal of the temporary
//     name, and a crash between the two leaves both names.
//
// WriteFile does not create name's directory. Concurrent calls for one
// name each put a whole file in place and the last one wins (with
// NoReplace, the first, and the others fail): callers that read, change
// and write a file back must lock it.
//
// An error is a *fs.PathError whose Path is name (never the temporary
// file) and whose Err is the system's error, such as syscall.EROFS. Its Op
// is the step that failed:
//
//	createtemp   creating the temporary file (the directory is missing,
//	             read-only, not writable by this user...)
//	write        writing it
//	chown        changing its owner
//	chmod        changing its mode
//	sync         fsyncing it
//	close        closing it
//	rename       renaming it to name (name is a directory...)
//	link         moving it to name without replacing anything, with
//	             NoReplace (name exists...)
//	remove       with NoReplace, where the system cannot rename without
//	             replacing (before Linux 3.15, or a file system without
//	             RENAME_NOREPLACE) and the file was linked to name
//	             instead: removing the temporary name. name is in place,
//	             and the temporary name is left as a second link to it.
//
// For instance, in a directory mounted read-only:
//
//	createtemp /etc/nix/nix.conf: read-only file system
func WriteFile(name string, data []byte, perm fs.FileMode, opts *WriteOptions) error {
	if opts == nil {
		opts = new(WriteOptions)
	}
	fail := func(op string, err error) error {
		return &fs.PathError{Op: op, Path: name, Err: underlying(err)}
	}
	// step takes step op on the temporary file; a test can make it fail.
	step := func(op string, do func() error) error {
		var err error
		if testHookFail != nil {
			err = testHookFail(op)
		}
		if err == nil {
			err = do()
		}
		if err != nil {
			return fail(op, err)
		}
		return nil
	}

	dir := filepath.Dir(name)
	prefix := opts.TempPrefix
	if prefix == "" {
		prefix = "." + filepath.Base(name) + ".tmp-"
	}
	f, err := os.CreateTemp(dir, prefix+"*")
	if err != nil {
		return fail("createtemp", err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()

	write := func() error { _, err := f.Write(data); return err }
	if err := step("write", write); err != nil {
		return err
	}
	// Before the mode: a change of owner clears the setuid and setgid bits.
	if opts.Chown {
		chown := func() error { return f.Chown(opts.UID, opts.GID) }
		if err := step("chown", chown); err != nil && !hasOwner(f, opts.UID, opts.GID) {
			return err
		}
	}
	if err := step("chmod", func() error { return f.Chmod(perm) }); err != nil {
		return err
	}
	if err := step("sync", f.Sync); err != nil {
		return err
	}
	if err := step("close", f.Close); err != nil {
		return err
	}
	if opts.BeforeRename != nil {
		opts.BeforeRename()
	}
	if opts.NoReplace {
		switch linked, err := moveNoReplace(tmp, name); {
		case err != nil && linked:
			done = true // name is in place; tmp is a second name of it
			return fail("remove", err)
		case err != nil:
			return fail("link", err)
		}
	} else if err := rename(tmp, name); err != nil {
		return fail("rename", err)
	}
	done = true
	syncDir(dir)
	return nil
}

// testHookFail, if set, is called before each step on the temporary file
// with the step's Op; an error it returns is the step's, which is skipped.
var testHookFail func(op string) error

// rename is os.Rename, but with the system's error for a directory at
// newname (EISDIR, where os.Rename says EEXIST).
// moveNoReplace moves tmp to name unless something is at name (a file, a
// directory, a symbolic link, dangling or not, which it does not follow):
// with renameNoReplace where the kernel and the file system have it, else
// with link(2) and the removal of tmp, when linked reports that name is in
// place even if err is the failure to remove tmp.
func moveNoReplace(tmp, name string) (linked bool, err error) {
	err = testableRenameNoReplace(tmp, name)
	if err != syscall.EINVAL && err != syscall.ENOSYS {
		return false, err
	}
	if err := os.Link(tmp, name); err != nil {
		return false, err
	}
	return true, os.Remove(tmp)
}

// testableRenameNoReplace is renameNoReplace; a test replaces it to take
// the link(2) way.
var testableRenameNoReplace = renameNoReplace

func rename(oldname, newname string) error {
	for {
		if err := syscall.Rename(oldname, newname); err != syscall.EINTR {
			return err
		}
	}
}

// underlying returns the system's error inside err.
func underlying(err error) error {
	switch e := err.(type) {
	case *fs.PathError:
		return e.Err
	case *os.LinkError:
		return e.Err
	case *os.SyscallError:
		return e.Err
	}
	return err
}

// hasOwner reports whether f has the owner uid and group gid (-1: any).
func hasOwner(f *os.File, uid, gid int) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && (uid == -1 || int(st.Uid) == uid) && (gid == -1 || int(st.Gid) == gid)
}

// syncDir makes a rename or link in dir durable, where the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
