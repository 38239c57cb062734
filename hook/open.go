package hook

import (
	"context"

	"github.com/nixsign/nixsign/nix/store"
)

// openResult is what Options.OpenStore gave, in the background.
type openResult struct {
	s   store.Store
	err error
}

// openStore starts opening the store the config names. With
// store.StartOpen, a daemon's socket is connected to and greeted on this
// goroutine, before the hook goes on with the outputs and the key (a
// millisecond of CPU): the daemon starts its worker meanwhile, and the
// handshake is finished, on this goroutine too, when the store is needed.
// Options.OpenStore runs in the background.
func (r *run) openStore(ctx context.Context) {
	sopts := &store.Options{StoreDir: r.dir, Getenv: r.opts.getenv}
	open := r.opts.OpenStore
	if open == nil {
		r.opening = store.StartOpen(ctx, r.cfg.Store, sopts)
		return
	}
	ch := make(chan openResult, 1)
	go func() {
		s, err := open(ctx, r.cfg.Store, sopts)
		ch <- openResult{s, err}
	}()
	r.opened = ch
}

// waitStore returns the store openStore opened, waiting for it the first
// time.
func (r *run) waitStore() (store.Store, error) {
	if r.opening != nil {
		return r.opening.Wait()
	}
	if !r.waited {
		r.openRes, r.waited = <-r.opened, true
	}
	return r.openRes.s, r.openRes.err
}

// closeStore closes the store, or gives up opening it.
func (r *run) closeStore() {
	if r.opening != nil {
		r.opening.Close()
		return
	}
	if s, _ := r.waitStore(); s != nil {
		s.Close()
	}
}
