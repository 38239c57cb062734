package store

import (
	"context"
	"errors"
	"iter"
	"slices"
	"sync/atomic"

	"github.com/nixsign/nixsign/sign"
)

// Signer signs fingerprints. *secretkey.Key is one; this package does not
// import it, so that verifiers never link secret-key code.
type Signer interface {
	Sign(fingerprint string) sign.Signature
}

// Signed is the outcome of signing one path.
type Signed struct {
	// Info is the path's info with Sig among its signatures (also when the
	// store did not take it).
	Info *sign.PathInfo
	// Sig is the new signature, as text.
	Sig string
	// Added is false when the path already had exactly this signature
	// (Ed25519 is deterministic: signing again gives the same string).
	Added bool
	// Recorded is false when the store has nowhere to keep signatures
	// (the files store): the caller must pass Sig on itself.
	Recorded bool
}

// SignPaths signs each path with signer and adds the signatures the paths
// lack to the store, as `nix store sign` does. The path infos come from the
// store (batched); nothing is added unless every path is valid. Signing
// runs on every core. With a store that cannot record signatures
// (ErrReadOnly), the signatures are returned with Recorded false and no
// error.
//
// An error from adding signatures stops the run: a daemon refusing an
// untrusted user (ErrNotPrivileged) refuses every path, and a broken
// connection (*UnavailableError) fails every later request. The results
// then hold what was done: Added is true only for signatures the store
// took.
func SignPaths(ctx context.Context, s Store, signer Signer, paths []string) ([]Signed, error) {
	infos, err := Infos(ctx, s, paths)
	if err != nil {
		return nil, err
	}
	return SignInfos(ctx, s, signer, infos)
}

// SignInfos is SignPaths for paths whose infos the caller already has
// (from Closure, say). The infos are updated in place.
//
// The signatures are made on every core and go to the store in batches as
// they are made, so that the store records the first ones while the next
// are being signed.
func SignInfos(ctx context.Context, s Store, signer Signer, infos []*sign.PathInfo) ([]Signed, error) {
	dir := s.Dir()
	fps := make([]string, len(infos))
	for i, info := range infos {
		fp, err := info.Fingerprint(dir)
		if err != nil {
			return nil, err
		}
		fps[i] = fp
	}
	out := make([]Signed, len(infos))
	b := newBatches(len(infos), signBatch)
	signAll := func() {
		parallel(len(infos), 0, func(i int) {
			sig := signer.Sign(fps[i]).String()
			out[i] = Signed{Info: infos[i], Sig: sig, Added: !slices.Contains(infos[i].Sigs, sig), Recorded: true}
			b.done(i)
		})
	}
	if len(infos) <= signBatch {
		// One batch (the post-build hook's outputs): nothing to overlap,
		// and a path or two are signed quicker than a goroutine starts.
		signAll()
	} else {
		go signAll()
	}
	var first error
	readOnly := false
	for lo, hi := range b.ready() {
		var todo []int
		var paths []string
		var sigs [][]string
		for i := lo; i < hi; i++ {
			switch {
			case first != nil:
				out[i].Added = false // not sent: the run stopped
			case out[i].Added:
				todo = append(todo, i)
				paths = append(paths, infos[i].Path.Abs(dir))
				sigs = append(sigs, []string{out[i].Sig})
			}
		}
		if len(todo) == 0 || readOnly {
			continue
		}
		for j, err := range addSignaturesMany(ctx, s, paths, sigs) {
			switch {
			case errors.Is(err, ErrReadOnly):
				readOnly = true
			case err != nil:
				out[todo[j]].Added = false
				if first == nil {
					first = err
				}
			}
		}
	}
	for i := range out {
		if readOnly {
			out[i].Recorded, out[i].Added = false, false
		}
		out[i].Info.AddSigs(out[i].Sig)
	}
	return out, first
}

// signBatch is the size of the first batch of signatures sent to the store;
// later batches take all that are ready.
const signBatch = 64

// batches tracks items done out of order in fixed-size runs, so that a
// consumer can take each run once all its items are done.
type batches struct {
	n, size int
	left    []atomic.Int32
	runs    []chan struct{}
}

func newBatches(n, size int) *batches {
	k := (n + size - 1) / size
	b := &batches{n: n, size: size, left: make([]atomic.Int32, k), runs: make([]chan struct{}, k)}
	for c := range k {
		b.left[c].Store(int32(min(size, n-c*size)))
		b.runs[c] = make(chan struct{})
	}
	return b
}

// done marks item i done.
func (b *batches) done(i int) {
	if c := i / b.size; b.left[c].Add(-1) == 0 {
		close(b.runs[c])
	}
}

// ready yields [lo, hi) ranges of done items, in order, covering [0, n):
// it waits for the next run, and takes with it the runs after it that
// are done already.
func (b *batches) ready() iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for c := 0; c < len(b.runs); {
			lo := c * b.size
			<-b.runs[c]
			for c++; c < len(b.runs) && isClosed(b.runs[c]); c++ {
			}
			if !yield(lo, min(c*b.size, b.n)) {
				return
			}
		}
	}
}

func isClosed(ch chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func firstError(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
