package daemon

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on what the reader accepts from the wire. A length or count above a
// limit is a protocol error; nothing is allocated for it.
const (
	maxStringLen = 64 << 20 // one string (a log line, a path, a signature)
	maxListLen   = 1 << 20  // elements of one string list
	maxFields    = 1 << 10  // fields of one activity or result message
	maxTraces    = 1 << 10  // traces of one error
)

// errProtocol marks a reply that does not follow the protocol.
var errProtocol = errors.New("protocol error")

func protoErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errProtocol}, args...)...)
}

// encoder builds one request in memory, so that it goes out in one write.
type encoder struct{ buf []byte }

func (e *encoder) reset() { e.buf = e.buf[:0] }

func (e *encoder) u64(n uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, n) }

func (e *encoder) bool(b bool) {
	if b {
		e.u64(1)
	} else {
		e.u64(0)
	}
}

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	e.buf = append(e.buf, s...)
	e.buf = append(e.buf, zeros[:pad(len(s))]...)
}

func (e *encoder) strs(ss []string) {
	e.u64(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

var zeros [8]byte

// pad returns the number of zero bytes that follow a string of n bytes.
func pad(n int) int { return (8 - n%8) % 8 }

// decoder reads the daemon's side of the stream. Its error is sticky: after
// the first failure every read returns a zero value, so a caller can read a
// whole reply and check d.err once.
type decoder struct {
	r   *bufio.Reader
	err error
	tmp [8]byte
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

func (d *decoder) u64() uint64 {
	if d.err != nil {
		return 0
	}
	if _, err := io.ReadFull(d.r, d.tmp[:]); err != nil {
		d.fail(eofIsUnexpected(err))
		return 0
	}
	return binary.LittleEndian.Uint64(d.tmp[:])
}

// bool reads a u64 that must be 0 or 1. Nix itself takes any non-zero value
// as true; a stray value here almost always means the stream is out of step.
func (d *decoder) bool() bool {
	n := d.u64()
	if n > 1 {
		d.fail(protoErrorf("expected a boolean, got %d", n))
		return false
	}
	return n == 1
}

// int reads a u64 that must fit in an int of at most max.
func (d *decoder) int(what string, max uint64) int {
	n := d.u64()
	if n > max {
		d.fail(protoErrorf("%s %d exceeds the limit of %d", what, n, max))
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.int("string length", maxStringLen)
	if d.err != nil {
		return ""
	}
	var s string
	if n <= d.r.Size() {
		// Straight from the read buffer: one copy, one allocation.
		b, err := d.r.Peek(n)
		if err != nil {
			d.fail(eofIsUnexpected(err))
			return ""
		}
		s = string(b)
		d.r.Discard(n)
	} else {
		// Grow with the data that actually arrives, not with the claim.
		var buf strings.Builder
		if _, err := io.CopyN(&buf, d.r, int64(n)); err != nil {
			d.fail(eofIsUnexpected(err))
			return ""
		}
		s = buf.String()
	}
	if p := pad(n); p > 0 {
		if _, err := io.ReadFull(d.r, d.tmp[:p]); err != nil {
			d.fail(eofIsUnexpected(err))
			return ""
		}
		for _, c := range d.tmp[:p] {
			if c != 0 {
				d.fail(protoErrorf("non-zero padding"))
				return ""
			}
		}
	}
	return s
}

func (d *decoder) strs() []string {
	n := d.int("list length", maxListLen)
	if d.err != nil || n == 0 {
		return nil
	}
	ss := make([]string, 0, min(n, 64))
	for range n {
		s := d.str()
		if d.err != nil {
			return nil
		}
		ss = append(ss, s)
	}
	return ss
}

// eofIsUnexpected turns io.EOF into io.ErrUnexpectedEOF: the daemon never
// ends the stream where a reply is expected.
func eofIsUnexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
