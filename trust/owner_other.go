//go:build !unix

package trust

import "io/fs"

func owner(fs.FileInfo) (int, bool) { return -1, false }

func writable(string) bool { return false }
