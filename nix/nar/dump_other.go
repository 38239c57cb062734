//go:build !unix

package nar

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// dumpPath is the portable dumper, by full paths through package os.
func dumpPath(e *encoder, path string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return err
	}
	return dumpNode(e, path, fi)
}

func dumpNode(e *encoder, path string, fi fs.FileInfo) error {
	switch fi.Mode().Type() {
	case 0:
		e.raw(tokRegular)
		if fi.Mode()&0o100 != 0 {
			e.raw(tokExecutable)
		}
		e.raw(tokContents)
		e.u64(uint64(fi.Size()))
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		err = e.readFull(f, fi.Size())
		f.Close()
		if err != nil && err != e.err {
			return &fs.PathError{Op: "read", Path: path, Err: err}
		}
		e.pad(fi.Size())
	case fs.ModeSymlink:
		target, err := os.Readlink(path)
		if err != nil {
			return err
		}
		e.raw(tokSymlink)
		e.str(target)
	case fs.ModeDir:
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		names, err := f.Readdirnames(-1)
		f.Close()
		if err != nil {
			return err
		}
		slices.Sort(names)
		e.raw(tokDirectory)
		for _, n := range names {
			child := path + string(os.PathSeparator) + n
			cfi, err := os.Lstat(child)
			if err != nil {
				return err
			}
			e.raw(tokEntry)
			e.str(n)
			e.raw(tokNode)
			if err := dumpNode(e, child, cfi); err != nil {
				return err
			}
			e.raw(tokClose)
		}
	default:
		return fmt.Errorf("file '%s' has an unsupported type", path)
	}
	e.raw(tokClose)
	return e.err
}
