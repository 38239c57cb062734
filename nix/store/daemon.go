package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/nixsign/nixsign/nix/daemon"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

// daemonStore is a store reached through the worker protocol: the daemon's
// socket ("daemon"), the pipes of `nix-daemon --stdio` ("local"), or those
// of `ssh HOST nix-daemon --stdio` (ssh-ng, see ssh.go).
type daemonStore struct {
	name string // for people: "daemon", "local", "ssh-ng://builder"
	kind string // UnavailableError.Store: "daemon", "local", "ssh-ng"
	c    *daemon.Client
	dir  string
	// remote: the store is on another machine, so NAR reads the contents
	// over the connection (NarFromPath) rather than from the file system.
	remote bool
	// diag, if set, adds to connection errors what the transport said
	// (the last line of ssh's standard error).
	diag func() string
	// closed, if set, runs when the store is closed.
	closed func()

	mu       sync.Mutex
	derivers map[string]string // from the last PathInfo of each path
	// prefetched are replies to queries sent with the end of the
	// handshake (see Opening.Prefetch), each for the first query of its
	// path.
	prefetched map[string]daemon.PathInfoReply
}

func newDaemonStore(name string, c *daemon.Client, dir string) *daemonStore {
	return &daemonStore{name: name, kind: name, c: c, dir: dir, derivers: make(map[string]string)}
}

func (s *daemonStore) String() string { return s.name }
func (s *daemonStore) Dir() string    { return s.dir }

func (s *daemonStore) Close() error {
	err := s.c.Close()
	if s.closed != nil {
		s.closed()
	}
	return err
}

// Client returns the protocol client, for callers that need an operation
// the Store interface lacks.
func (s *daemonStore) Client() *daemon.Client { return s.c }

func (s *daemonStore) PathInfo(ctx context.Context, path string) (*sign.PathInfo, error) {
	if r, ok := s.takePrefetched(path); ok {
		return s.fromReply(path, r)
	}
	info, ok, err := s.c.QueryPathInfo(ctx, path)
	if err != nil {
		return nil, s.wrap(err)
	}
	if !ok {
		return nil, &NotValidError{Path: path, Store: s.name}
	}
	return s.convert(info)
}

// takePrefetched returns the prefetched reply for path, once.
func (s *daemonStore) takePrefetched(path string) (daemon.PathInfoReply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.prefetched[path]
	if ok {
		delete(s.prefetched, path)
	}
	return r, ok
}

// fromReply turns one reply of QueryPathInfos into the path's info.
func (s *daemonStore) fromReply(path string, r daemon.PathInfoReply) (*sign.PathInfo, error) {
	switch {
	case r.Err != nil:
		return nil, s.wrap(r.Err)
	case !r.Valid:
		return nil, &NotValidError{Path: path, Store: s.name}
	}
	return s.convert(r.Info)
}

// batch is how many requests go in one pipelined batch: it bounds what a
// batch holds in memory.
const batch = 4096

// pathInfos queries the paths in pipelined batches.
func (s *daemonStore) pathInfos(ctx context.Context, paths []string) ([]*sign.PathInfo, []error) {
	infos := make([]*sign.PathInfo, len(paths))
	errs := make([]error, len(paths))
	s.mu.Lock()
	prefetched := len(s.prefetched) > 0
	s.mu.Unlock()
	if prefetched {
		todo := make([]string, 0, len(paths))
		idx := make([]int, 0, len(paths))
		for i, p := range paths {
			if r, ok := s.takePrefetched(p); ok {
				infos[i], errs[i] = s.fromReply(p, r)
			} else {
				todo, idx = append(todo, p), append(idx, i)
			}
		}
		if len(todo) < len(paths) {
			ti, te := s.pathInfos(ctx, todo)
			for j, i := range idx {
				infos[i], errs[i] = ti[j], te[j]
			}
			return infos, errs
		}
	}
	for lo := 0; lo < len(paths); lo += batch {
		hi := min(lo+batch, len(paths))
		replies, err := s.c.QueryPathInfos(ctx, paths[lo:hi])
		for i := lo; i < hi; i++ {
			if replies == nil {
				errs[i] = s.wrap(err)
			} else {
				infos[i], errs[i] = s.fromReply(paths[i], replies[i-lo])
			}
		}
	}
	return infos, errs
}

func (s *daemonStore) AddSignatures(ctx context.Context, path string, sigs []string) error {
	return s.wrap(s.c.AddSignatures(ctx, path, sigs))
}

// addSignaturesMany adds the signatures in pipelined batches. The paths
// must be valid (SignInfos got their infos from this store): Nix 2.8.0's
// daemon crashes on a path that is not.
func (s *daemonStore) addSignaturesMany(ctx context.Context, paths []string, sigs [][]string) []error {
	errs := make([]error, len(paths))
	for lo := 0; lo < len(paths); lo += batch {
		hi := min(lo+batch, len(paths))
		es, err := s.c.AddSignaturesMany(ctx, paths[lo:hi], sigs[lo:hi])
		for i := lo; i < hi; i++ {
			if es == nil {
				errs[i] = s.wrap(err)
			} else {
				errs[i] = s.wrap(es[i-lo])
			}
		}
	}
	return errs
}

// NAR dumps the path from the file system: the daemon and nix-daemon
// --stdio serve the store of this machine, so its files are here to read.
// A remote store's NAR comes over the connection instead.
func (s *daemonStore) NAR(ctx context.Context, path string, w io.Writer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := storepath.Parse(s.dir, path); err != nil {
		return err
	}
	if s.remote {
		return s.remoteNAR(ctx, path, w)
	}
	_, err := nar.Dump(w, path)
	return err
}

// remoteNAR asks the daemon for the path's NAR. The path must be valid
// first: Nix 2.8.0's daemon fails on one that is not after it has started
// its answer, and drops the connection. A path whose info this store has
// given is taken as valid; any other is checked.
func (s *daemonStore) remoteNAR(ctx context.Context, path string, w io.Writer) error {
	s.mu.Lock()
	_, known := s.derivers[path]
	s.mu.Unlock()
	if !known {
		ok, err := s.c.IsValidPath(ctx, path)
		if err != nil {
			return s.wrap(err)
		}
		if !ok {
			return &NotValidError{Path: path, Store: s.name}
		}
	}
	ew := &errWriter{w: w}
	_, err := s.c.NarFromPath(ctx, path, ew)
	if err != nil && err == ew.err {
		return err // w's, not the store's
	}
	return s.wrap(err)
}

// errWriter remembers the error of w.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}

func (s *daemonStore) Describe(ctx context.Context, path string) (deriver, system string, err error) {
	s.mu.Lock()
	d, ok := s.derivers[path]
	s.mu.Unlock()
	if ok {
		return d, "", nil
	}
	info, ok, err := s.c.QueryPathInfo(ctx, path)
	if err != nil {
		return "", "", s.wrap(err)
	}
	if !ok {
		return "", "", &NotValidError{Path: path, Store: s.name}
	}
	return info.Deriver, "", nil
}

// convert turns the daemon's record into a sign.PathInfo.
func (s *daemonStore) convert(di daemon.PathInfo) (*sign.PathInfo, error) {
	bad := func(what string, err error) error {
		return &UnavailableError{Store: s.kind, Err: fmt.Errorf("nix-daemon: path info of '%s': %s: %v", di.Path, what, err)}
	}
	p, err := storepath.Parse(s.dir, di.Path)
	if err != nil {
		return nil, bad("path", err)
	}
	h, err := parseNarHash(di.NarHash)
	if err != nil {
		return nil, bad("narHash", err)
	}
	info := &sign.PathInfo{Path: p, NarHash: h, NarSize: di.NarSize, Ultimate: di.Ultimate, Sigs: di.Sigs}
	for _, r := range di.References {
		rp, err := storepath.Parse(s.dir, r)
		if err != nil {
			return nil, bad("reference", err)
		}
		info.References = append(info.References, rp)
	}
	if di.CA != "" {
		if info.CA, err = storepath.ParseCA(di.CA); err != nil {
			return nil, bad("ca", err)
		}
	}
	s.mu.Lock()
	s.derivers[di.Path] = di.Deriver
	s.mu.Unlock()
	return info, nil
}

// parseNarHash reads a NAR hash as Nix's Hash::parseAny(s, htSHA256) does:
// with or without an algorithm prefix (Nix 2.8.0's daemon sends 64 hex
// digits without one).
func parseNarHash(s string) (hash.Hash, error) {
	var h hash.Hash
	var err error
	if strings.ContainsAny(s, ":-") {
		h, err = hash.Parse(s)
	} else {
		h, err = hash.ParseAs(hash.SHA256, s)
	}
	if err == nil && h.Algo != hash.SHA256 {
		err = fmt.Errorf("%q is not a SHA-256 hash", s)
	}
	return h, err
}

// wrap classifies a protocol client error: a refusal to a user the daemon
// does not trust wraps ErrNotPrivileged; any other failure of the
// connection is an *UnavailableError; a remote error stays as it is.
func (s *daemonStore) wrap(err error) error {
	if err == nil {
		return nil
	}
	var re *daemon.RemoteError
	if errors.As(err, &re) {
		if strings.Contains(re.Message, "not privileged") {
			return &NotPrivilegedError{Store: s.kind, Err: err}
		}
		return err
	}
	var ue *UnavailableError
	if errors.As(err, &ue) {
		return err
	}
	if strings.Contains(err.Error(), "is not a path in the store") {
		return err // refused before sending
	}
	if s.diag != nil {
		if d := s.diag(); d != "" {
			err = fmt.Errorf("%w; %s", err, d)
		}
	}
	return &UnavailableError{Store: s.kind, Err: err}
}

// NotPrivilegedError is a daemon's refusal to add signatures for a user it
// does not trust; it matches ErrNotPrivileged with errors.Is.
type NotPrivilegedError struct {
	Store string // the kind of store that refused: "daemon", "local" or "ssh-ng"
	Err   error  // the daemon's error
}

func (e *NotPrivilegedError) Error() string        { return e.Err.Error() }
func (e *NotPrivilegedError) Unwrap() error        { return e.Err }
func (e *NotPrivilegedError) Is(target error) bool { return target == ErrNotPrivileged }
