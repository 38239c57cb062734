package nar

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// A FormatError reports a malformed NAR. Msg words the problem as Nix 2.25+
// does ("bad archive: NAR directory is not sorted", "non-zero padding",
// "unexpected end-of-file", ...); Offset is where the offending item starts
// (for a truncated NAR: where it ends).
type FormatError struct {
	Offset int64
	Msg    string
	Err    error // io.ErrUnexpectedEOF for a truncated NAR, else nil
}

// Error returns "nar: offset N: " and the message.
func (e *FormatError) Error() string { return fmt.Sprintf("nar: offset %d: %s", e.Offset, e.Msg) }

// Unwrap returns e.Err.
func (e *FormatError) Unwrap() error { return e.Err }

// The Reader's token layer: every string is read with Peek and Discard from
// the buffer, and the offset of each failure is kept.

func (r *Reader) readMagic() error {
	b, err := r.readString(maxTagLen, "tag")
	if err == nil && string(b) == magic {
		return nil
	}
	if fe, ok := err.(*FormatError); err != nil && (!ok || fe.Err != nil) {
		return err // I/O error or unexpected end-of-file, as in Nix 2.8.0
	}
	return r.fail(0, nil, "bad archive: input doesn't look like a Nix archive")
}

// expect reads the given tags.
func (r *Reader) expect(tags ...string) error {
	for _, want := range tags {
		off := r.off
		tag, err := r.readString(maxTagLen, "tag")
		if err != nil {
			return err
		}
		if string(tag) != want {
			return r.fail(off, nil, "bad archive: expected tag '%s', got '%s'", want, tag)
		}
	}
	return nil
}

// readString reads a string of at most max bytes (max < the buffer size).
// The result points into the buffer: it is valid until the next read.
func (r *Reader) readString(max int, what string) ([]byte, error) {
	n, err := r.readUint64()
	if err != nil {
		return nil, err
	}
	if n > uint64(max) {
		return nil, r.fail(r.off-8, nil, "bad archive: %s is too long (%d bytes)", what, n)
	}
	total := int(n) + padLen(n)
	b, err := r.src.Peek(total)
	if len(b) < total {
		r.off += int64(len(b))
		return nil, r.eof(err)
	}
	for i, c := range b[n:] {
		if c != 0 {
			return nil, r.fail(r.off+int64(n)+int64(i), nil, "non-zero padding")
		}
	}
	r.src.Discard(total)
	r.off += int64(total)
	return b[:n], nil
}

// readPadding reads the padding after n bytes of contents.
func (r *Reader) readPadding(n uint64) error {
	p, err := r.src.Peek(padLen(n))
	if len(p) < padLen(n) {
		r.off += int64(len(p))
		return r.eof(err)
	}
	for i, c := range p {
		if c != 0 {
			return r.fail(r.off+int64(i), nil, "non-zero padding")
		}
	}
	r.src.Discard(len(p))
	r.off += int64(len(p))
	return nil
}

func (r *Reader) readUint64() (uint64, error) {
	b, err := r.src.Peek(8)
	if len(b) < 8 {
		r.off += int64(len(b))
		return 0, r.eof(err)
	}
	r.src.Discard(8)
	r.off += 8
	return binary.LittleEndian.Uint64(b), nil
}

// eof turns a short read into an error at the current offset.
func (r *Reader) eof(err error) error {
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF || err == bufio.ErrBufferFull {
		return r.fail(r.off, io.ErrUnexpectedEOF, "unexpected end-of-file")
	}
	return r.wrap(err)
}

func (r *Reader) wrap(err error) error {
	if _, ok := err.(*FormatError); ok {
		return err
	}
	return fmt.Errorf("nar: offset %d: %w", r.off, err)
}

func (r *Reader) fail(off int64, err error, format string, args ...any) error {
	return &FormatError{Offset: off, Msg: fmt.Sprintf(format, args...), Err: err}
}
