package cache

import (
	"bufio"
	"context"
	"errors"
	"hash"
	"io"
	"sync"
)

// The readers and writers that Add and NAR stream through.

// hashWriter counts and (when h is set) hashes what it writes to w, and
// keeps w's first error.
type hashWriter struct {
	w   io.Writer
	h   hash.Hash
	n   int64
	err error
}

func (w *hashWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	n, err := w.w.Write(p)
	if w.h != nil {
		w.h.Write(p[:n])
	}
	w.n += int64(n)
	w.err = err
	return n, err
}

var (
	readBufs  = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 256<<10) }}
	writeBufs = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 256<<10) }}
)

// limitReader reads from r until ctx is done or more than limit bytes
// came (then it sets over and fails).
type limitReader struct {
	ctx   context.Context
	r     io.Reader
	n     int64
	limit int64
	over  bool
}

var errTooLong = errors.New("longer than NarSize")

func (r *limitReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	if r.over {
		return 0, errTooLong
	}
	p = p[:min(int64(len(p)), r.limit+1-r.n)]
	n, err := r.r.Read(p)
	r.n += int64(n)
	if r.n > r.limit {
		r.over = true
		return n, errTooLong
	}
	return n, err
}

// countReader reads at most limit bytes (limit < 0: no limit) of r,
// counting and (when h is set) hashing them, and stops when ctx is done.
type countReader struct {
	ctx     context.Context
	r       io.Reader
	h       hash.Hash
	n       int64
	limit   int64
	err     error // ctx.Err(), sticky
	readErr error // from r
}

func (c *countReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.err = c.ctx.Err(); c.err != nil {
		return 0, c.err
	}
	if c.limit >= 0 {
		if c.n >= c.limit {
			return 0, io.EOF
		}
		p = p[:min(int64(len(p)), c.limit-c.n)]
	}
	n, err := c.r.Read(p)
	if c.h != nil {
		c.h.Write(p[:n])
	}
	c.n += int64(n)
	if err != nil && err != io.EOF {
		c.readErr = err
	}
	return n, err
}

// limitWriter passes the first limit bytes written to w and h; a write
// that reaches the limit sets over and fails.
type limitWriter struct {
	w     io.Writer
	h     hash.Hash
	n     int64
	limit int64
	over  bool
	err   error // from w
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) >= l.limit-l.n {
		p = p[:l.limit-l.n]
		l.over = true
	}
	n, err := l.w.Write(p)
	l.h.Write(p[:n])
	l.n += int64(n)
	if err != nil {
		l.err = err
		return n, err
	}
	if l.over {
		return n, errTooLong
	}
	return n, nil
}
