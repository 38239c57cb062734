package store

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/sign"
)

// PushOptions configure Push.
type PushOptions struct {
	// Compression of the NAR files; "" means zstd.
	Compression cache.Compression
	// Workers is how many paths are copied at once; 0 means one per core.
	Workers int
	// Progress, if set, is called once the work is known and after each
	// path, never concurrently with itself.
	Progress func(PushProgress)
}

// PushProgress is how far a Push is.
type PushProgress struct {
	Done, Total int   // paths copied (or found in the cache) and to do
	Bytes       int64 // NAR bytes copied so far
	TotalBytes  int64 // NAR bytes of the paths to copy
}

// PushResult says what a Push did.
type PushResult struct {
	Pushed  []string // paths copied, in the order they were committed
	Skipped []string // paths the cache already had
	Bytes   int64    // NAR bytes copied
}

// Push copies paths and their closure from src to the binary cache dst,
// as `nix copy --to file://DIR?secret-key=...` does: references first (a
// path's narinfo is written only after those of all its references), each
// narinfo carrying the signatures the path has in src plus signer's
// signature of it (signer may be nil to add none). Paths the cache already
// has (by hash part, as Nix checks) are skipped and left as they are.
//
// NARs stream from src through the compressor to the cache, so memory
// stays flat whatever the size of a path; Workers paths are in flight at
// once. The cache writes each NAR and then its narinfo atomically, so a
// failure (a full disk, a read-only cache, a broken daemon connection)
// leaves no narinfo whose NAR or references are missing. The first error
// stops the push; the result lists what was committed before it.
func Push(ctx context.Context, src Store, dst *cache.Cache, signer Signer, paths []string, opts PushOptions) (PushResult, error) {
	var res PushResult
	if opts.Compression == "" {
		opts.Compression = cache.Zstd
	}
	if dst.Dir() != src.Dir() {
		return res, fmt.Errorf("cannot push from a store in %s to a cache for %s", src.Dir(), dst.Dir())
	}
	closure, err := Closure(ctx, src, paths)
	if err != nil {
		return res, err
	}
	dir := src.Dir()
	var todo []*sign.PathInfo
	for _, info := range closure {
		has, err := dst.Has(ctx, info.Path.Abs(dir))
		if err != nil {
			return res, err
		}
		if has {
			res.Skipped = append(res.Skipped, info.Path.Abs(dir))
		} else {
			todo = append(todo, info)
		}
	}
	if signer != nil {
		if _, err := SignInfos(ctx, readOnly{src}, signer, todo); err != nil {
			return res, err
		}
	}
	p := &pusher{src: src, dst: dst, opts: opts, todo: todo, done: make(map[string]chan struct{}, len(todo))}
	p.prog.Done = len(res.Skipped)
	p.prog.Total = len(closure)
	for _, info := range todo {
		p.prog.TotalBytes += int64(info.NarSize)
		p.done[info.Path.Abs(dir)] = make(chan struct{})
	}
	p.report()
	err = p.run(ctx)
	res.Pushed, res.Bytes = p.pushed, p.bytes.Load()
	return res, err
}

// readOnly hides a store's AddSignatures, so that SignInfos signs for the
// narinfo without touching the source store.
type readOnly struct{ Store }

func (readOnly) AddSignatures(context.Context, string, []string) error { return ErrReadOnly }

type pusher struct {
	src  Store
	dst  *cache.Cache
	opts PushOptions
	todo []*sign.PathInfo
	done map[string]chan struct{} // closed once the path is in the cache

	mu     sync.Mutex
	prog   PushProgress
	pushed []string
	bytes  atomic.Int64
}

func (p *pusher) report() {
	if p.opts.Progress != nil {
		p.opts.Progress(p.prog)
	}
}

func (p *pusher) run(ctx context.Context) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next atomic.Int64
	workers := p.opts.Workers
	if workers <= 0 {
		workers = defaultWorkers()
	}
	var wg sync.WaitGroup
	for range min(workers, len(p.todo)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(p.todo) || ctx.Err() != nil {
					return
				}
				if err := p.one(ctx, p.todo[i]); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil && len(p.pushed) < len(p.todo) {
		return err
	}
	return nil
}

// one copies a path once its references are in the cache.
func (p *pusher) one(ctx context.Context, info *sign.PathInfo) error {
	dir := p.src.Dir()
	path := info.Path.Abs(dir)
	for _, r := range info.References {
		ch, ok := p.done[r.Abs(dir)]
		if !ok || r == info.Path {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	e := cache.Entry{Info: info}
	switch src := p.src.(type) {
	case *cache.Cache:
		ni, err := src.NarInfo(ctx, path)
		if err != nil {
			return err
		}
		e.Deriver, e.System = ni.Deriver, ni.System
	case Describer:
		deriver, system, err := src.Describe(ctx, path)
		if err != nil {
			return err
		}
		if deriver != "" {
			e.Deriver = filepath.Base(deriver)
		}
		e.System = system
	}
	pr, pw := io.Pipe()
	cw := &countWriter{w: pw}
	go func() {
		pw.CloseWithError(p.src.NAR(ctx, path, cw))
	}()
	err := p.dst.Add(ctx, e, pr, p.opts.Compression)
	pr.CloseWithError(fmt.Errorf("push stopped"))
	if err != nil {
		return err
	}
	p.bytes.Add(cw.n)
	p.mu.Lock()
	p.pushed = append(p.pushed, path)
	p.prog.Done++
	p.prog.Bytes += cw.n
	p.report()
	p.mu.Unlock()
	close(p.done[path])
	return nil
}

// Paths returns the absolute paths of infos.
func Paths(dir string, infos []*sign.PathInfo) []string {
	out := make([]string, len(infos))
	for i, info := range infos {
		out[i] = info.Path.Abs(dir)
	}
	return slices.Clip(out)
}
