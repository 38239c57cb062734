// Package store is the one interface nixsign uses to read path information
// from, and add signatures to, every kind of Nix store, and the operations
// built on it that the CLI and the post-build hook share: closures, signing
// (SignPaths), verification with Nix's rules (Verify) and publishing to a
// binary cache (Push).
//
// The stores, and the --store values that pick them (see Open):
//
//	daemon            the worker protocol over the daemon's Unix socket
//	                  ($NIX_DAEMON_SOCKET_PATH, else /nix/var/nix/daemon-socket/socket);
//	                  unix:///PATH for another socket
//	local             the worker protocol over the pipes of `nix-daemon --stdio`,
//	                  which serves the local store to its owner
//	files             no database: NAR hash, size and references computed from
//	                  the files; files?root=DIR reads the store from DIR/nix/store,
//	                  files?real=DIR from DIR, as Nix's chroot stores do
//	ssh-ng://HOST     the worker protocol over the pipes of
//	                  `ssh HOST nix-daemon --stdio`, as Nix runs it
//	file:///DIR       a binary cache directory (narinfo files and nar/)
//	auto              the daemon if its socket answers, else local if nix-daemon
//	                  is installed and the store database is writable, else files
//
// Path information for signing comes from the store, so a store that
// records NAR hashes (daemon, local, a cache) is never re-hashed for
// signing. The daemon and local stores read a path's contents straight from
// the file system when Verify re-hashes them, so the hashing runs here, on
// every core, rather than in the daemon. An ssh-ng store's files are on
// another machine: its NARs come over the connection, and are checked as
// they come.
//
// With the daemon and local stores, many paths are queried and signed in
// pipelined batches over the one connection (see PathInfos and SignInfos).
// StartOpen connects to a daemon and starts its handshake before the caller
// needs the store, and Opening.Prefetch sends the first queries along with
// the end of the handshake: the post-build hook, which signs a path or two,
// waits for the daemon's worker to start and then for two round trips.
//
// # Example
//
// The files store finds what Nix 2.8.0 recorded for the test vector
// /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a from its 168-byte
// NAR alone: NarHash sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr
// and the one reference /nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt,
// whose hash part the NAR contains. SignPaths then signs the fingerprint
//
//	1;/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a;sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr;168;/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt
//
// and with test-key-1 gets Nix's own signature,
// test-key-1:kLz1xZjqyqxZ6ZF5HcIuIkSA56mGBKPJhUV4RXv0S1H24saGksQp68YmZGseYvHESRPl8hohklSKW43uXU7IAA==
// (TestFilesVectors).
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/nixsign/nixsign/sign"
)

// Store is a Nix store nixsign can sign paths in.
type Store interface {
	// String names the store for people: "daemon", "local", "files" or the
	// cache URL.
	String() string
	// Dir returns the store directory, e.g. /nix/store.
	Dir() string
	// PathInfo returns what the store knows about a path (an absolute store
	// path). A path the store does not hold gives a *NotValidError.
	PathInfo(ctx context.Context, path string) (*sign.PathInfo, error)
	// AddSignatures adds signatures to a path's record, keeping those it
	// has (a set union). Stores that cannot record signatures return
	// ErrReadOnly.
	AddSignatures(ctx context.Context, path string, sigs []string) error
	// NAR writes the path's NAR serialisation to w.
	NAR(ctx context.Context, path string, w io.Writer) error
	// Close releases the store's connection, if any.
	Close() error
}

// NotValidError is a path the store does not hold.
type NotValidError struct {
	Path  string
	Store string
}

func (e *NotValidError) Error() string {
	return fmt.Sprintf("path '%s' is not valid in the %s store", e.Path, e.Store)
}

// ErrReadOnly is returned by AddSignatures of stores that have nowhere to
// keep signatures (the files store).
var ErrReadOnly = errors.New("this store cannot record signatures")

// ErrNotPrivileged is wrapped by the error of a store that refuses to add
// signatures because it does not trust the user: a daemon whose
// trusted-users does not list them ("you are not privileged to add
// signatures").
var ErrNotPrivileged = errors.New("not privileged to add signatures")

// UnavailableError is a store that cannot be reached or stopped answering:
// a missing daemon socket, a connection closed in the middle of a run, a
// reply that does not follow the protocol, a time limit passed.
type UnavailableError struct {
	Store string // "daemon", "local", ...
	Err   error
}

func (e *UnavailableError) Error() string { return e.Err.Error() }
func (e *UnavailableError) Unwrap() error { return e.Err }

// Describer is implemented by stores that know more about a path than the
// fields that are signed. Push copies these into the narinfo.
type Describer interface {
	// Describe returns the path's deriver (an absolute .drv path, or "")
	// and the system it was built for ("" when unknown).
	Describe(ctx context.Context, path string) (deriver, system string, err error)
}

// batchInfo is implemented by stores that answer many queries faster
// together than one by one (the daemon stores, by pipelining).
type batchInfo interface {
	pathInfos(ctx context.Context, paths []string) ([]*sign.PathInfo, []error)
}

// batchSigs is implemented by stores that add signatures to many paths
// faster together than one by one.
type batchSigs interface {
	addSignaturesMany(ctx context.Context, paths []string, sigs [][]string) []error
}

// PathInfos returns s.PathInfo of every path, in order, with one error per
// path (nil when the path's info was found). Stores that can batch queries
// get them in one go; for the others the queries run concurrently, on as
// many goroutines as there are cores (the files store hashes each path).
func PathInfos(ctx context.Context, s Store, paths []string) ([]*sign.PathInfo, []error) {
	if b, ok := s.(batchInfo); ok {
		return b.pathInfos(ctx, paths)
	}
	infos := make([]*sign.PathInfo, len(paths))
	errs := make([]error, len(paths))
	parallel(len(paths), 0, func(i int) {
		infos[i], errs[i] = s.PathInfo(ctx, paths[i])
	})
	return infos, errs
}

// addSignaturesMany is s.AddSignatures for each path, batched when s can.
func addSignaturesMany(ctx context.Context, s Store, paths []string, sigs [][]string) []error {
	if b, ok := s.(batchSigs); ok {
		return b.addSignaturesMany(ctx, paths, sigs)
	}
	errs := make([]error, len(paths))
	for i, p := range paths {
		errs[i] = s.AddSignatures(ctx, p, sigs[i])
	}
	return errs
}

// parallel calls fn(i) for i in [0, n) on up to workers goroutines
// (GOMAXPROCS when workers <= 0).
func parallel(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}

func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
