package nar

import (
	"crypto/sha256"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// Dump writes the NAR serialisation of the file, directory or symlink at
// path to w, exactly as `nix-store --dump path` does, and returns the number
// of bytes written (the narSize).
//
// Directory entries are written sorted by their raw bytes; a regular file is
// executable when its owner-exec bit is set; symlink targets are written
// verbatim, whether relative, absolute or dangling. Nothing else about a
// file is recorded. Other file types (sockets, fifos, devices) are an error,
// as in Nix. When path is a symlink, the NAR is that symlink; as with Nix,
// "link/" (trailing slash) means the directory it points to.
//
// Dump streams: file contents are read into large pooled buffers that are
// handed to w as they fill, so w (typically a hash, or an [io.MultiWriter]
// of a hash and a scanner) sees writes of about 1 MiB whatever the shape of
// the tree. Once the NAR outgrows one buffer, and if a CPU is idle (not when
// HashAll keeps them all busy), w is called from a separate goroutine (one
// call at a time, all before Dump returns) so that reading the files
// overlaps with w's work. On error, the NAR written so far is incomplete.
func Dump(w io.Writer, path string) (n int64, err error) {
	busy.Add(1)
	defer busy.Add(-1)
	e := &encoder{w: w, buf: getBigBuf(), async: readAhead}
	e.raw(tokMagic)
	if err := dumpPath(e, path); err != nil {
		e.err = err
	}
	err = e.close()
	return e.off, err
}

// readAhead lets Dump overlap reading with writing (off in a benchmark).
var readAhead = true

// Hash returns the sha256 digest of the NAR serialisation of path and its
// length: the narHash and narSize of a store path whose contents are path.
func Hash(path string) (digest [32]byte, size int64, err error) {
	h := sha256.New()
	size, err = Dump(h, path)
	if err != nil {
		return digest, 0, err
	}
	h.Sum(digest[:0])
	return digest, size, nil
}

// Result is the outcome of hashing one path with [HashAll].
type Result struct {
	Path   string
	Digest [32]byte // sha256 of the NAR
	Size   int64    // length of the NAR
	Err    error
}

// HashAll hashes paths concurrently on up to workers goroutines
// (GOMAXPROCS when workers <= 0) and returns one Result per path, in the
// order of paths. A failure of one path does not stop the others.
func HashAll(paths []string, workers int) []Result {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(paths))
	res := make([]Result, len(paths))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(paths) {
					return
				}
				r := &res[i]
				r.Path = paths[i]
				r.Digest, r.Size, r.Err = Hash(paths[i])
			}
		})
	}
	wg.Wait()
	return res
}
