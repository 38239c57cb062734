package daemon

import (
	"context"
	"errors"
	"sync/atomic"
)

// chunkSize is how many bytes of requests a pipeline encodes before it
// writes them.
const chunkSize = 16 << 10

// pipeline sends n requests and reads their n replies as one operation. A
// goroutine writes the requests, encoded by enc, while this one reads the
// replies in order with read (after the answers still pending, see
// readPending, and the stderr messages that precede each), so that the
// daemon works through them back to back instead of waiting a round trip
// for each. A batch of one is written by this goroutine before it reads;
// with a nil enc, the requests have been sent already. The daemon serves a connection's requests one after
// the other, answering each in full before it starts on the next, so the
// replies come in the order of the requests.
//
// errs[i] is the *RemoteError the daemon answered request i with, if any:
// the daemon goes on with the next request, and so does the pipeline. Any
// other error (a reply that does not follow the protocol, a closed
// connection, a time limit) stops it: err is that error, the connection is
// closed as by any failed operation, and errs[i] is err for every request
// whose reply was not read.
//
// The time limit applies to each reply: it restarts whenever one has been
// read. The writer always finishes before pipeline returns: when reading
// fails, the connection is closed, which unblocks a write in progress.
func (c *Client) pipeline(ctx context.Context, name string, n int, enc func(e *encoder, i int), read func(i int) error) (errs []error, err error) {
	errs = make([]error, n)
	if n == 0 {
		return errs, nil
	}
	read0 := 0 // replies read
	err = c.do(ctx, name, c.opts.Timeout, func() error {
		// A batch of one request goes out like any single request, with
		// no writer goroutine: the daemon reads a whole request before it
		// answers, so the write cannot wait on the reader even over a
		// transport with no buffer (a net.Pipe). More requests than one
		// could: the daemon answers the first before it reads the next.
		// Requests sent already (enc == nil) only need reading.
		e := &c.enc
		if enc != nil {
			enc(e, 0)
		}
		if n == 1 || enc == nil {
			if enc != nil {
				if err := c.write(); err != nil {
					return err
				}
			}
			if err := c.readPending(); err != nil {
				return err
			}
			for ; read0 < n; read0++ {
				err := c.processStderr()
				if err == nil {
					err = read(read0)
				}
				if re, ok := err.(*RemoteError); ok {
					errs[read0] = re
				} else if err != nil {
					return err
				}
				c.limit.extend()
			}
			return nil
		}
		// Whichever side fails first closes the connection, which stops
		// the other; its error is the one that counts.
		const writer, reader = 1, 2
		var closer atomic.Int32
		wdone := make(chan error, 1)
		go func() {
			err := c.writeRequests(1, n, enc)
			if err != nil && closer.CompareAndSwap(0, writer) {
				// No reply will come for what was not sent.
				c.closeConn()
			}
			wdone <- err
		}()
		for ; read0 < n; read0++ {
			var err error
			if read0 == 0 {
				err = c.readPending()
			}
			if err == nil {
				err = c.processStderr()
			}
			if err == nil {
				err = read(read0)
			}
			if re, ok := err.(*RemoteError); ok {
				errs[read0] = re // processStderr returns it as is
			} else if err != nil {
				if closer.CompareAndSwap(0, reader) {
					c.closeConn()
				}
				if werr := <-wdone; closer.Load() == writer {
					return werr
				}
				return err
			}
			c.limit.extend()
		}
		return <-wdone
	})
	if err != nil {
		for i := read0; i < n; i++ {
			errs[i] = err
		}
	}
	return errs, err
}

// writeRequests writes the requests already encoded (those before from),
// then encodes the others and writes them in chunks.
func (c *Client) writeRequests(from, n int, enc func(e *encoder, i int)) error {
	e := &c.enc
	if err := c.write(); err != nil {
		return err
	}
	for i := from; i < n; i++ {
		enc(e, i)
		if len(e.buf) >= chunkSize || i == n-1 {
			if err := c.write(); err != nil {
				return err
			}
		}
	}
	return nil
}

// PathInfoReply is the daemon's answer about one path of QueryPathInfos.
type PathInfoReply struct {
	Info  PathInfo // what the daemon knows, when Valid
	Valid bool
	// Err is why there is no answer: the daemon's *RemoteError for this
	// path alone, or the failure of the connection.
	Err error
}

// QueryPathInfos is QueryPathInfo for many paths, pipelined on the one
// connection: it sends every request without waiting for the replies, which
// saves a round trip per path. The time limit (Options.Timeout) applies to
// each reply, not to the whole batch.
//
// replies[i] answers paths[i]. A path the daemon refuses with an error
// gets that *RemoteError and the others are still answered. err is a
// failure of the connection (then every path not yet answered has it as
// its Err) or a path refused before anything was sent (then replies is
// nil).
func (c *Client) QueryPathInfos(ctx context.Context, paths []string) (replies []PathInfoReply, err error) {
	for _, p := range paths {
		if err := c.checkPath("QueryPathInfo", p); err != nil {
			return nil, err
		}
	}
	return c.queryPathInfos(ctx, paths, true)
}

// queryPathInfos is QueryPathInfos for checked paths; without send, the
// requests have been sent already.
func (c *Client) queryPathInfos(ctx context.Context, paths []string, send bool) (replies []PathInfoReply, err error) {
	replies = make([]PathInfoReply, len(paths))
	var enc func(e *encoder, i int)
	if send {
		enc = func(e *encoder, i int) { encQueryPathInfo(e, paths[i]) }
	}
	errs, err := c.pipeline(ctx, "QueryPathInfo", len(paths), enc, func(i int) error {
		r := &replies[i]
		var err error
		r.Info, r.Valid, err = c.readPathInfo(paths[i])
		return err
	})
	for i, e := range errs {
		if !isNotValid(e) {
			replies[i].Err = e
		}
	}
	return replies, err
}

// AddSignaturesMany is AddSignatures for many paths, pipelined on the one
// connection: sigs[i] are added to paths[i]. The time limit
// (Options.Timeout) applies to each reply, not to the whole batch.
//
// errs[i] is nil once the daemon has taken sigs[i]; a path the daemon
// refuses (an untrusted client: "you are not privileged to add
// signatures") gets its *RemoteError, and the others are still sent. err
// is a failure of the connection (then every path not yet answered has it
// in errs) or a path refused before anything was sent (then errs is nil).
//
// Check first that every path is valid: the worker of Nix 2.8.0's daemon
// crashes on AddSignatures of a path that is not, which loses the
// connection, and with it the rest of the batch.
func (c *Client) AddSignaturesMany(ctx context.Context, paths []string, sigs [][]string) (errs []error, err error) {
	if len(sigs) != len(paths) {
		return nil, errors.New("nix-daemon AddSignatures: a list of signatures for each path is needed")
	}
	for _, p := range paths {
		if err := c.checkPath("AddSignatures", p); err != nil {
			return nil, err
		}
	}
	return c.pipeline(ctx, "AddSignatures", len(paths), func(e *encoder, i int) {
		encAddSignatures(e, paths[i], sigs[i])
	}, func(int) error {
		c.dec.u64() // always 1
		return c.dec.err
	})
}
