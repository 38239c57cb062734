package nar

import (
	"encoding/binary"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// bigBufSize is the size of the buffers that Dump fills and hands to the
// destination writer: every Write that a hash sees is this big, except the
// last one.
const bigBufSize = 1 << 20

// smallBufSize is the buffer size of a Writer.
const smallBufSize = 32 << 10

var (
	bigBufPool   = sync.Pool{New: func() any { b := make([]byte, bigBufSize); return &b }}
	smallBufPool = sync.Pool{New: func() any { b := make([]byte, smallBufSize); return &b }}
)

func getBigBuf() []byte { return *bigBufPool.Get().(*[]byte) }

// putBuf returns a buffer to its pool.
func putBuf(b []byte) {
	b = b[:cap(b)]
	if len(b) == bigBufSize {
		bigBufPool.Put(&b)
	} else if len(b) == smallBufSize {
		smallBufPool.Put(&b)
	}
}

// padLen is the number of zero bytes that pad a string of n bytes.
func padLen(n uint64) int { return int(-n & 7) }

// tokens returns the NAR encoding of a fixed sequence of strings.
func tokens(s ...string) []byte {
	var b []byte
	for _, t := range s {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(t)))
		b = append(b, t...)
		b = append(b, make([]byte, padLen(uint64(len(t))))...)
	}
	return b
}

// Pre-encoded token runs: a node is written with at most five appends.
var (
	tokMagic      = tokens(magic)
	tokRegular    = tokens("(", "type", "regular")
	tokExecutable = tokens("executable", "")
	tokContents   = tokens("contents")
	tokSymlink    = tokens("(", "type", "symlink", "target")
	tokDirectory  = tokens("(", "type", "directory")
	tokEntry      = tokens("entry", "(", "name")
	tokNode       = tokens("node")
	tokClose      = tokens(")")
	zeros         [8]byte
)

const magic = "nix-archive-1"

// busy counts the goroutines that Dump keeps busy: each Dump and each of
// their pipes. A pipe only pays when a core is idle, as when hashing one
// path; when HashAll keeps every core hashing, it would only add overhead.
var busy atomic.Int32

// encoder buffers NAR output for w. Tokens and small files are appended to
// buf; file contents are read straight into buf, so that no byte is copied
// twice. When it flushes while a core is idle, an async encoder starts a
// pipe: a goroutine that writes full buffers to w while the caller reads the
// next ones (I/O overlaps hashing).
type encoder struct {
	w     io.Writer
	buf   []byte // buf[:n] is pending output
	n     int
	off   int64 // bytes flushed so far
	err   error
	async bool  // may start a pipe on the first flush
	pipe  *pipe // non-nil once started; only with a buffer of bigBufSize
}

// ensure makes room for k bytes (k <= len(e.buf)).
func (e *encoder) ensure(k int) {
	if len(e.buf)-e.n < k {
		e.flush()
	}
}

func (e *encoder) raw(b []byte) {
	e.ensure(len(b))
	e.n += copy(e.buf[e.n:], b)
}

func (e *encoder) u64(v uint64) {
	e.ensure(8)
	binary.LittleEndian.PutUint64(e.buf[e.n:], v)
	e.n += 8
}

// str writes a string token.
func (e *encoder) str(s string) {
	if 16+len(s) > len(e.buf) {
		e.u64(uint64(len(s)))
		e.bytes([]byte(s))
		e.pad(int64(len(s)))
		return
	}
	e.ensure(8 + len(s) + 8)
	binary.LittleEndian.PutUint64(e.buf[e.n:], uint64(len(s)))
	e.n += 8
	e.n += copy(e.buf[e.n:], s)
	e.n += copy(e.buf[e.n:], zeros[:padLen(uint64(len(s)))])
}

// bytes writes p, flushing as needed; large writes bypass the buffer when
// writing synchronously.
func (e *encoder) bytes(p []byte) {
	for len(p) > 0 && e.err == nil {
		if e.n == 0 && e.pipe == nil && !e.async && len(p) >= len(e.buf) {
			m, err := e.w.Write(p)
			e.off += int64(m)
			if err == nil && m < len(p) {
				err = io.ErrShortWrite
			}
			e.err = err
			return
		}
		if e.n == len(e.buf) {
			e.flush()
		}
		m := copy(e.buf[e.n:], p)
		e.n += m
		p = p[m:]
	}
}

// readFull reads exactly size bytes from r into the output. It returns
// io.ErrUnexpectedEOF when r ends early, and r's own errors.
func (e *encoder) readFull(r io.Reader, size int64) error {
	for size > 0 {
		if e.err != nil {
			return e.err
		}
		if e.n == len(e.buf) {
			e.flush()
			continue
		}
		free := e.buf[e.n:]
		if int64(len(free)) > size {
			free = free[:size]
		}
		m, err := r.Read(free)
		e.n += m
		size -= int64(m)
		if err == io.EOF || (m == 0 && err == nil) {
			err = io.ErrUnexpectedEOF
		}
		if err != nil && size > 0 {
			return err
		}
	}
	return nil
}

func (e *encoder) pad(size int64) {
	e.raw(zeros[:padLen(uint64(size))])
}

// flush hands the buffer to w (or to the pipe). After an error, it
// discards it.
func (e *encoder) flush() {
	if e.err != nil {
		e.n = 0
		return
	}
	if e.n == 0 {
		return
	}
	if e.pipe == nil && e.async && int(busy.Load()) < runtime.GOMAXPROCS(0) {
		e.pipe = startPipe(e.w)
	}
	if e.pipe != nil {
		e.off += int64(e.n)
		e.buf, e.err = e.pipe.swap(e.buf[:e.n])
		e.n = 0
		return
	}
	m, err := e.w.Write(e.buf[:e.n])
	e.off += int64(m)
	if err == nil && m < e.n {
		err = io.ErrShortWrite
	}
	e.err = err
	e.n = 0
}

// close flushes, stops the pipe and releases the buffer. It returns the
// first error, from w or recorded by the caller in e.err. The last flush
// does not start a pipe: with nothing left to read, a goroutine would
// only add its start and two handoffs (most NARs fit in one buffer).
func (e *encoder) close() error {
	e.async = false
	e.flush()
	if e.pipe != nil {
		if err := e.pipe.close(); e.err == nil {
			e.err = err
		}
		e.pipe = nil
	}
	if e.buf != nil {
		putBuf(e.buf)
	}
	e.buf = nil
	return e.err
}

// pipe writes full buffers to w on its own goroutine.
type pipe struct {
	work chan []byte
	free chan []byte
	done chan struct{}
	mu   sync.Mutex
	err  error
}

// pipeBufs is the number of buffers in flight besides the one being filled.
const pipeBufs = 2

// pipesStarted counts the pipes started (for tests).
var pipesStarted atomic.Int64

func startPipe(w io.Writer) *pipe {
	pipesStarted.Add(1)
	busy.Add(1)
	p := &pipe{
		work: make(chan []byte, pipeBufs+1),
		free: make(chan []byte, pipeBufs+1),
		done: make(chan struct{}),
	}
	for range pipeBufs {
		p.free <- getBigBuf()
	}
	go func() {
		defer close(p.done)
		failed := false
		for b := range p.work {
			if !failed {
				m, err := w.Write(b)
				if err == nil && m < len(b) {
					err = io.ErrShortWrite
				}
				if err != nil {
					failed = true
					p.mu.Lock()
					p.err = err
					p.mu.Unlock()
				}
			}
			p.free <- b[:cap(b)]
		}
	}()
	return p
}

// swap queues b for writing and returns an empty buffer, with the writer's
// error if it failed.
func (p *pipe) swap(b []byte) ([]byte, error) {
	p.work <- b
	nb := <-p.free
	p.mu.Lock()
	err := p.err
	p.mu.Unlock()
	return nb, err
}

func (p *pipe) close() error {
	close(p.work)
	<-p.done
	busy.Add(-1)
	for range pipeBufs {
		putBuf(<-p.free)
	}
	return p.err
}
