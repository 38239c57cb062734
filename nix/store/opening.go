package store

import (
	"context"
	"errors"
	"strings"

	"github.com/nixsign/nixsign/nix/daemon"
)

// An Opening is a store being opened: see StartOpen. Its methods must not
// be called concurrently.
type Opening struct {
	ctx      context.Context
	spec     string
	dir      string
	opts     Options
	pre      *predial
	done     chan struct{} // closed once s and err are set by the goroutine
	waited   bool
	s        Store
	err      error
	prefetch []string
}

// StartOpen starts opening the store that spec names, as Open does. When
// the store is a daemon's socket, or auto tries one first, StartOpen
// connects and sends the first message of the handshake before it returns
// (see daemon.StartDial): the daemon then starts the process that serves
// the connection, which takes Nix 2.8.0 several milliseconds, while the
// caller does other work, and Wait finishes the handshake (and, for auto,
// falls back to another store if it fails). Other stores are opened in the
// background. The caller must call Wait, and close the store it returns.
func StartOpen(ctx context.Context, spec string, opts *Options) *Opening {
	op := &Opening{ctx: ctx, spec: spec}
	if opts != nil {
		op.opts = *opts
	}
	op.dir = storeDir(&op.opts)
	if sock := firstSocket(spec, &op.opts); sock != "" {
		op.pre = &predial{sock: sock}
		op.pre.d, op.pre.err = daemon.StartDial(ctx, sock, clientOptions(op.dir, &op.opts))
		return op
	}
	op.done = make(chan struct{})
	go func() {
		defer close(op.done)
		op.s, op.err = open(ctx, spec, op.dir, &op.opts, nil)
	}()
	return op
}

// Prefetch asks for the infos of paths along with the end of the daemon's
// handshake, which saves a round trip: the store's first query of each of
// them is answered with what came back. Call it before Wait; stores other
// than a daemon started by StartOpen ignore it.
func (op *Opening) Prefetch(paths []string) {
	op.prefetch = paths
}

// Close gives up opening, or closes the store Wait returned: a daemon
// connection whose handshake Wait has not finished is closed at once; a
// store opened in the background is closed once it is open.
func (op *Opening) Close() error {
	if !op.waited && op.done == nil {
		op.waited, op.err = true, errors.New("store: Opening closed")
		op.pre.close()
		return nil
	}
	if s, _ := op.Wait(); s != nil {
		return s.Close()
	}
	return nil
}

// Wait returns the store, or the error, that Open would have returned.
func (op *Opening) Wait() (Store, error) {
	if op.waited {
		return op.s, op.err
	}
	op.waited = true
	if op.done != nil {
		<-op.done
		return op.s, op.err
	}
	op.pre.prefetch = op.prefetch
	op.s, op.err = open(op.ctx, op.spec, op.dir, &op.opts, op.pre)
	op.pre.close()
	return op.s, op.err
}

// firstSocket returns the daemon socket that Open tries first for spec, or
// "" if it tries none.
func firstSocket(spec string, opts *Options) string {
	switch {
	case spec == "daemon":
		return daemon.DefaultSocketPath(opts.getenv)
	case strings.HasPrefix(spec, "unix://"):
		return strings.TrimPrefix(spec, "unix://")
	case spec == "" || spec == "auto":
		switch r := opts.getenv("NIX_REMOTE"); {
		case r == "local":
			return ""
		case strings.HasPrefix(r, "unix://"):
			return strings.TrimPrefix(r, "unix://")
		}
		return daemon.DefaultSocketPath(opts.getenv)
	}
	return ""
}

// predial is a connection to a daemon socket started by StartOpen, for
// openDaemon to finish.
type predial struct {
	sock     string
	d        *daemon.Dialing
	err      error
	used     bool
	prefetch []string // paths to query along with the end of the handshake
}

// take returns p if it is a connection to sock not yet taken, else nil.
func (p *predial) take(sock string) *predial {
	if p == nil || p.used || p.sock != sock {
		return nil
	}
	p.used = true
	return p
}

// close closes the connection if nothing took it.
func (p *predial) close() {
	if p != nil && !p.used && p.d != nil {
		p.d.Close()
	}
}
