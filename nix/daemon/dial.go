package daemon

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// Dial connects to the daemon's Unix socket and runs the handshake. ctx bounds
// the connection and the handshake only. It is StartDial followed by
// Finish.
func Dial(ctx context.Context, socketPath string, opts *Options) (*Client, error) {
	d, err := StartDial(ctx, socketPath, opts)
	if err != nil {
		return nil, err
	}
	return d.Finish(ctx)
}

// A Dialing is a connection to the daemon whose handshake has begun (see
// StartDial). Call Finish or Close, once.
type Dialing struct {
	c *Client
}

// StartDial connects to the daemon's Unix socket and sends the client's
// first handshake message, without waiting for the answer. The daemon
// answers once it has started the process that serves the connection (Nix
// 2.8.0 forks and opens the store's database: several milliseconds), and
// the caller can do other work meanwhile. ctx bounds the connection only.
func StartDial(ctx context.Context, socketPath string, opts *Options) (*Dialing, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", socketPath)
	if err != nil {
		return nil, fmt.Errorf("nix-daemon: %w", err)
	}
	c := newClient(conn, opts)
	if err := c.do(ctx, "handshake", c.opts.HandshakeTimeout, c.greet); err != nil {
		c.Close()
		return nil, err
	}
	return &Dialing{c: c}, nil
}

// Finish runs the rest of the handshake as New does and returns the Client,
// which owns the connection. ctx bounds the handshake only. On error the
// connection is closed.
func (d *Dialing) Finish(ctx context.Context) (*Client, error) {
	c := d.c
	if c == nil {
		return nil, errors.New("nix-daemon: Dialing finished twice")
	}
	d.c = nil
	if err := c.do(ctx, "handshake", c.opts.HandshakeTimeout, func() error { return c.handshake(nil) }); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// FinishQueryPathInfos is Finish followed by QueryPathInfos(ctx, paths),
// with the queries sent along with the end of the handshake, which saves a
// round trip. c is nil when the handshake failed; otherwise replies and err
// are those of QueryPathInfos (nil replies for a path refused before
// anything was sent).
func (d *Dialing) FinishQueryPathInfos(ctx context.Context, paths []string) (c *Client, replies []PathInfoReply, err error) {
	if d.c == nil {
		return nil, nil, errors.New("nix-daemon: Dialing finished twice")
	}
	// The queries go out in the handshake's last write, which must not
	// wait on the daemon reading: keep it within what a socket buffer
	// takes at once.
	size, valid := 0, true
	for _, p := range paths {
		size += 24 + len(p)
		valid = valid && d.c.checkPath("QueryPathInfo", p) == nil
	}
	if !valid || size > chunkSize {
		if c, err = d.Finish(ctx); err != nil {
			return nil, nil, err
		}
		replies, err = c.QueryPathInfos(ctx, paths)
		return c, replies, err
	}
	c, d.c = d.c, nil
	err = c.do(ctx, "handshake", c.opts.HandshakeTimeout, func() error {
		return c.handshake(func(e *encoder) {
			for _, p := range paths {
				encQueryPathInfo(e, p)
			}
		})
	})
	if err != nil {
		c.Close()
		return nil, nil, err
	}
	replies, err = c.queryPathInfos(ctx, paths, false)
	return c, replies, err
}

// Close closes the connection of a Dialing that is not finished.
func (d *Dialing) Close() error {
	if d.c == nil {
		return nil
	}
	c := d.c
	d.c = nil
	return c.Close()
}
