//go:build !unix

package nixconf

import (
	"errors"
	"io/fs"
)

func lockFile(path string) (func(), error) {
	return nil, errors.New("file locking is not supported on this system")
}

func owner(fs.FileInfo) (uid, gid int) { return -1, -1 }
