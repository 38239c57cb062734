package daemon

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Default time limits.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
)

// Options configure a Client. The zero value (or a nil *Options) gives the
// defaults.
type Options struct {
	// Timeout bounds each operation, from sending the request to the end of
	// the reply; in a pipelined batch, the wait for each reply. Zero means
	// DefaultTimeout.
	Timeout time.Duration
	// HandshakeTimeout bounds the handshake. Zero means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// Log receives the daemon's log lines (STDERR_NEXT), without the trailing
	// newline; they may contain ANSI escape sequences. Nil drops them. It is
	// called during an operation and must not call the Client.
	Log func(line string)
	// StoreDir is the daemon's store directory; paths outside it are
	// refused before they are sent, since the daemon drops the connection
	// on them. Empty means "/nix/store".
	StoreDir string
}

// Trust is what the daemon says about trusting this client (protocol 1.35+).
type Trust int

// The values of Trust are those sent on the wire.
const (
	TrustUnknown Trust = 0 // the daemon did not say (protocol < 1.35)
	Trusted      Trust = 1
	NotTrusted   Trust = 2
)

func (t Trust) String() string {
	switch t {
	case TrustUnknown:
		return "unknown"
	case Trusted:
		return "trusted"
	case NotTrusted:
		return "not trusted"
	}
	return fmt.Sprintf("Trust(%d)", int(t))
}

// A Client speaks the worker protocol over one connection. Its methods may be
// called from several goroutines; operations run one at a time.
//
// Any failure other than a *RemoteError (a timeout, a closed connection, a
// malformed reply) leaves the stream out of step: the Client closes the
// connection and every later operation returns that first error.
type Client struct {
	conn     io.ReadWriteCloser
	opts     Options
	deadline interface{ SetDeadline(time.Time) error } // nil: use a watchdog
	diag     func() string                             // extra context for connection errors

	mu         sync.Mutex // held for a whole operation
	enc        encoder
	dec        decoder
	err        error    // sticky
	limit      *limiter // the time limit of the operation in progress
	version    int
	nixVersion string
	trust      Trust
	pending    int // requests sent whose answers are still to be read (SetOptions)

	expired   atomic.Bool // the watchdog closed the connection
	closing   atomic.Bool // Close was called
	closeOnce sync.Once
	closeErr  error
}

// errClosed is the error of operations on a closed Client. It is a type
// rather than fmt.Errorf's, which would cost every program that links the
// package a formatting at start-up (the post-build hook counts).
var errClosed error = closedError{}

type closedError struct{}

func (closedError) Error() string { return "nix-daemon: client closed: " + net.ErrClosed.Error() }
func (closedError) Unwrap() error { return net.ErrClosed }

// New runs the handshake over rwc, sends SetOptions, and returns a Client
// that owns rwc. If rwc has a SetDeadline method (net.Conn, *os.File) it is
// used to enforce time limits; otherwise a timer closes rwc when a limit
// passes. ctx bounds the handshake only.
//
// SetOptions goes out with the end of the handshake and its answer, which
// carries nothing but log messages, is read with the first operation's: a
// daemon that refuses it fails that operation.
func New(ctx context.Context, rwc io.ReadWriteCloser, opts *Options) (*Client, error) {
	c := newClient(rwc, opts)
	err := c.do(ctx, "handshake", c.opts.HandshakeTimeout, func() error {
		if err := c.greet(); err != nil {
			return err
		}
		return c.handshake(nil)
	})
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func newClient(rwc io.ReadWriteCloser, opts *Options) *Client {
	c := &Client{conn: rwc}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.Timeout <= 0 {
		c.opts.Timeout = DefaultTimeout
	}
	if c.opts.HandshakeTimeout <= 0 {
		c.opts.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if c.opts.StoreDir == "" {
		c.opts.StoreDir = "/nix/store"
	}
	if dl, ok := rwc.(interface{ SetDeadline(time.Time) error }); ok && dl.SetDeadline(time.Time{}) == nil {
		c.deadline = dl
	}
	if d, ok := rwc.(interface{ diagnostics() string }); ok {
		c.diag = d.diagnostics
	}
	c.dec.r = bufio.NewReaderSize(rwc, 32<<10)
	return c
}

// ProtocolVersion returns the negotiated protocol version, major<<8 | minor
// (0x122 = 1.34 with Nix 2.8.0).
func (c *Client) ProtocolVersion() int { return c.version }

// DaemonVersion returns the daemon's Nix version ("2.8.0"), or "" if the
// protocol is older than 1.33.
func (c *Client) DaemonVersion() string { return c.nixVersion }

// Trust returns whether the daemon trusts this client, as it said in the
// handshake (TrustUnknown before protocol 1.35).
func (c *Client) Trust() Trust { return c.trust }

// Close closes the connection. It interrupts an operation in progress.
func (c *Client) Close() error {
	c.closing.Store(true)
	c.closeConn()
	c.mu.Lock()
	if c.err == nil {
		c.err = errClosed
	}
	c.mu.Unlock()
	if errors.Is(c.closeErr, os.ErrClosed) || errors.Is(c.closeErr, net.ErrClosed) {
		return nil
	}
	return c.closeErr
}

func (c *Client) write() error {
	_, err := c.conn.Write(c.enc.buf)
	c.enc.reset()
	return err
}

// do runs op under the client lock with a time limit. A *RemoteError is
// returned as is; any other error closes the connection and sticks.
func (c *Client) do(ctx context.Context, name string, limit time.Duration, op func() error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("nix-daemon %s: %w", name, err)
	}
	c.enc.reset()
	c.dec.err = nil

	l := c.startLimit(limit)
	c.limit = l
	stopCtx := func() bool { return true }
	if ctx.Done() != nil {
		done := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			defer close(done)
			l.cancel()
		})
		stopCtx = func() bool {
			if stop() {
				return true
			}
			<-done
			return false
		}
	}

	err := op()

	interrupted := !stopCtx()
	if l.stop() {
		interrupted = true
	}
	c.limit = nil
	var re *RemoteError
	if err == nil || errors.As(err, &re) {
		if !interrupted || c.deadline != nil {
			return err
		}
		// The watchdog or the context closed the connection just after
		// the reply: the result stands, but the connection is gone.
		c.err = fmt.Errorf("nix-daemon: connection closed after %s timed out or was canceled", name)
		return err
	}
	switch {
	case c.closing.Load():
		err = errClosed
	case l.wasCanceled():
		err = fmt.Errorf("nix-daemon %s: %w", name, ctx.Err())
	case c.expired.Load() || errors.Is(err, os.ErrDeadlineExceeded):
		err = fmt.Errorf("nix-daemon %s: no reply within %v: %w", name, limit, os.ErrDeadlineExceeded)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, os.ErrClosed) || errors.Is(err, net.ErrClosed) || errors.Is(err, io.ErrClosedPipe):
		err = fmt.Errorf("nix-daemon %s: connection closed by the daemon%s: %w", name, c.diagnostics(), io.ErrUnexpectedEOF)
	default:
		err = fmt.Errorf("nix-daemon %s: %w%s", name, err, c.diagnostics())
	}
	c.err = err
	c.closeConn()
	return err
}

// closeConn closes the connection, once.
func (c *Client) closeConn() {
	c.closeOnce.Do(func() { c.closeErr = c.conn.Close() })
}

func (c *Client) diagnostics() string {
	if c.diag == nil {
		return ""
	}
	if s := c.diag(); s != "" {
		return " (" + s + ")"
	}
	return ""
}
