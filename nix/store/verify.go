package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/sign"
)

// VerifyOptions are the settings of `nix store verify`.
type VerifyOptions struct {
	// Keys are the trusted public keys. Nix uses the client's
	// trusted-public-keys and secret-key-files, not the daemon's.
	Keys *sign.KeySet
	// SigsNeeded is -n: the number of valid signatures a path needs when it
	// is not content-addressed (0 also accepts a path built here).
	SigsNeeded int
	// NoContents skips re-hashing the contents (--no-contents).
	NoContents bool
	// NoTrust skips the signature check (--no-trust).
	NoTrust bool
	// Substituters are the stores of -s: when a path's own signatures are
	// not enough, the signatures each of them holds for the same path count
	// too, asked in order until there are enough (see sign.TrustedWith).
	// A store that does not hold the path is passed by; one that fails to
	// answer too, its error in Trust.Count.OtherErrs (Nix prints it and goes
	// on: the path is not failed). They are asked concurrently for
	// different paths.
	Substituters []Store
	// Workers is how many paths are hashed at once; 0 means one per core.
	Workers int
	// Progress, if set, is called after each path with the number of
	// paths done and the NAR bytes hashed so far. It may be called from
	// several goroutines at once, never concurrently with itself.
	Progress func(done int, bytes int64)
}

// Verified is the outcome of checking one path.
type Verified struct {
	Path string
	// Info is what the store knows; nil when the path is not valid there.
	Info *sign.PathInfo
	// Corrupted: the contents do not hash to Info.NarHash; Got is their
	// hash. Checked unless NoContents.
	Corrupted bool
	Got       hash.Hash
	// Trust is the outcome of the trust check; Untrusted is set when it
	// failed. Checked unless NoTrust.
	Trust     sign.Verdict
	Untrusted bool
	// Err is why the path could not be checked (Nix counts it as failed).
	Err error
}

// Exit codes of `nix store verify`, ORed over all paths.
const (
	ExitCorrupted = 1
	ExitUntrusted = 2
	ExitFailed    = 4
)

// Code returns the path's contribution to the exit code: ExitCorrupted,
// ExitUntrusted, ExitFailed, or an OR of them.
func (v *Verified) Code() int {
	c := 0
	if v.Corrupted {
		c |= ExitCorrupted
	}
	if v.Untrusted {
		c |= ExitUntrusted
	}
	if v.Err != nil {
		c |= ExitFailed
	}
	return c
}

// Messages returns what `nix store verify` prints for the path, one line
// each: "path '%s' was modified! expected hash '%s', got '%s'", "path '%s'
// is untrusted", or the error.
func (v *Verified) Messages() []string {
	var out []string
	if v.Corrupted {
		out = append(out, fmt.Sprintf("path '%s' was modified! expected hash '%s', got '%s'", v.Path, v.Info.NarHash, v.Got))
	}
	if v.Untrusted {
		out = append(out, fmt.Sprintf("path '%s' is untrusted", v.Path))
	}
	if v.Err != nil {
		out = append(out, v.Err.Error())
	}
	return out
}

// Verify checks each path as `nix store verify` does (src/nix/verify.cc):
// unless NoContents, the NAR is re-made from the store and hashed, and a
// hash other than the recorded one marks the path corrupted; unless
// NoTrust, the path must have been built here (ultimate, with SigsNeeded
// 0), be content-addressed, or have max(SigsNeeded, 1) valid signatures by
// Keys, its own and then the Substituters' (see sign.TrustedWith). A path
// that is not valid, or whose check fails with an error, is marked failed
// (Err) and the others are still checked. Paths are checked concurrently,
// Workers at a time.
//
// With the daemon and local stores, whose NARs come from the file system
// rather than from the store's records, hashing starts at once while the
// path infos are fetched in one pipelined batch; the checks that need a
// path's info wait until the batch is in, and the hashing goes on
// meanwhile. An ssh-ng store's NARs come over the same connection, once
// each path is known to be valid, so there hashing waits for the infos.
func Verify(ctx context.Context, s Store, paths []string, opts VerifyOptions) []Verified {
	v := &verifier{ctx: ctx, s: s, opts: opts, paths: paths, out: make([]Verified, len(paths)), ready: make(chan struct{})}
	v.contents = !opts.NoContents
	if _, ok := s.(*filesStore); ok {
		// Its path info was just computed from these very files.
		v.contents = false
	}
	ds, early := s.(*daemonStore)
	v.early = early && !ds.remote && v.contents
	if v.early {
		v.deferred = make([]hashed, 0, len(paths))
	}
	go func() {
		v.infos, v.errs = PathInfos(ctx, s, paths)
		close(v.ready)
	}()
	workers := opts.Workers
	if workers <= 0 {
		workers = defaultWorkers()
	}
	var wg sync.WaitGroup
	for range min(workers, len(paths)) {
		wg.Go(v.work)
	}
	wg.Wait()
	<-v.ready
	return v.out
}

// verifier is the state of one Verify.
type verifier struct {
	ctx      context.Context
	s        Store
	opts     VerifyOptions
	paths    []string
	out      []Verified
	contents bool // hash the contents
	early    bool // hash before the path info is in

	ready chan struct{} // closed once infos and errs are set
	infos []*sign.PathInfo
	errs  []error

	next     atomic.Int64 // the next path to start on
	mu       sync.Mutex
	deferred []hashed // hashed early, to check once the infos are in
	nextDef  int      // the next deferred path to check, once the infos are in

	done       int // paths done, under progressMu
	bytes      atomic.Int64
	progressMu sync.Mutex
}

// hashed is a path whose NAR has been hashed.
type hashed struct {
	i   int
	got hash.Hash
	err error
}

// work checks paths until there are none left. Early, it hashes paths and
// sets aside those whose info is not in yet; then it checks those.
func (v *verifier) work() {
	h := &hasher{h: sha256.New()}
	for {
		i := int(v.next.Add(1) - 1)
		if i >= len(v.paths) {
			break
		}
		var r hashed
		r.i = i
		if v.early {
			r.got, r.err = h.hash(v.ctx, v.s, v.paths[i], &v.bytes)
			select {
			case <-v.ready:
			default:
				v.mu.Lock()
				v.deferred = append(v.deferred, r)
				v.mu.Unlock()
				continue
			}
		} else {
			<-v.ready
		}
		v.check(h, r)
	}
	<-v.ready
	for {
		v.mu.Lock()
		if v.nextDef >= len(v.deferred) {
			v.mu.Unlock()
			return
		}
		r := v.deferred[v.nextDef]
		v.nextDef++
		v.mu.Unlock()
		v.check(h, r)
	}
}

// check finishes path r.i: its contents, unless hashed early, and its
// signatures.
func (v *verifier) check(h *hasher, r hashed) {
	out := &v.out[r.i]
	out.Path = v.paths[r.i]
	defer v.progress()
	out.Info = v.infos[r.i]
	if out.Err = v.errs[r.i]; out.Err != nil {
		out.Info = nil
		return
	}
	if v.contents {
		if !v.early {
			r.got, r.err = h.hash(v.ctx, v.s, out.Path, &v.bytes)
		}
		var ce *cache.CorruptError
		if r.err != nil && !errors.As(r.err, &ce) {
			out.Err = fmt.Errorf("path '%s': %w", out.Path, r.err)
			return
		}
		// Like Nix, only the hash decides: a cache's complaint about the
		// size alone leaves the contents good (a wrong NarSize breaks the
		// signatures instead).
		if !r.got.Equal(out.Info.NarHash) {
			out.Corrupted, out.Got = true, r.got
		}
	}
	if !v.opts.NoTrust {
		var next func(int) (sign.Other, bool)
		if len(v.opts.Substituters) > 0 {
			next = func(i int) (sign.Other, bool) {
				if i >= len(v.opts.Substituters) {
					return sign.Other{}, false
				}
				return substituted(v.ctx, v.opts.Substituters[i], out.Path), true
			}
		}
		t, err := sign.TrustedWith(v.s.Dir(), out.Info, v.opts.Keys, v.opts.SigsNeeded, next)
		if err != nil {
			out.Err = fmt.Errorf("path '%s': %v", out.Path, err)
			return
		}
		out.Trust, out.Untrusted = t, !t.OK
	}
}

// substituted returns what the substituter sub holds of path, for
// sign.TrustedWith: as Nix, a path it does not hold is no error.
func substituted(ctx context.Context, sub Store, path string) sign.Other {
	o := sign.Other{Source: sub.String()}
	info, err := sub.PathInfo(ctx, path)
	var nv *NotValidError
	var cnv *cache.NotValidError
	switch {
	case err == nil:
		o.Info = info
	case errors.As(err, &nv), errors.As(err, &cnv):
	default:
		o.Err = fmt.Errorf("%s: %w", sub, err)
	}
	return o
}

func (v *verifier) progress() {
	v.progressMu.Lock()
	defer v.progressMu.Unlock()
	v.done++
	if v.opts.Progress != nil {
		v.opts.Progress(v.done, v.bytes.Load())
	}
}

// hasher hashes NARs, one at a time, with the same state.
type hasher struct {
	h hash256
	n int64
}

type hash256 interface {
	io.Writer
	Reset()
	Sum([]byte) []byte
}

func (h *hasher) Write(p []byte) (int, error) {
	n, err := h.h.Write(p)
	h.n += int64(n)
	return n, err
}

// hash returns the SHA-256 of the path's NAR as the store gives it, and adds
// the number of bytes hashed to total.
func (h *hasher) hash(ctx context.Context, s Store, path string, total *atomic.Int64) (hash.Hash, error) {
	h.h.Reset()
	h.n = 0
	err := s.NAR(ctx, path, h)
	total.Add(h.n)
	var digest [sha256.Size]byte
	h.h.Sum(digest[:0])
	return hash.SHA256Sum(digest), err
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
