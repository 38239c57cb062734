//go:build !unix

package secretkey

import (
	"errors"
	"io/fs"
	"os"
)

var errUnsupported = errors.New("key files are only supported on Unix")

func openNoFollow(string) (*os.File, error) { return nil, errUnsupported }
func isLoop(error) bool                     { return false }
func isNotDir(error) bool                   { return false }
func fileOwner(fs.FileInfo) (int, bool)     { return 0, false }
func permBits(fi fs.FileInfo) uint32        { return uint32(fi.Mode().Perm()) }
