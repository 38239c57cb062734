package nar

import (
	"bufio"
	"bytes"
	"io"
	"math"
)

// Reader reads a NAR strictly, one node at a time, like archive/tar.
//
// Besides what Nix 2.8.0 rejects (wrong magic, unknown tokens, non-zero
// padding, a non-empty executable marker, invalid names), a Reader enforces
// what Nix 2.25 added: the exact token order, entries sorted strictly by
// their raw bytes (so no duplicates), tags up to 32 bytes, names up to
// [MaxNameLen], symlink targets up to [MaxTargetLen] (and not empty, and
// without NUL), at most [MaxDepth] nested directories, and nothing after
// the root node: the NAR must be the whole stream. Errors are *FormatError,
// or errors of the underlying reader.
type Reader struct {
	src    *bufio.Reader
	off    int64 // bytes consumed from src
	err    error // sticky
	dirs   []openDir
	remain int64 // bytes of the current file's contents not yet read
	inFile bool
	start  bool
}

type openDir struct {
	path string
	prev string // last entry name
}

// NewReader returns a Reader of the NAR in r. It reads r through a buffer,
// and so may read past the end of the NAR (which is an error anyway).
func NewReader(r io.Reader) *Reader {
	return newReaderSize(r, 16<<10)
}

func newReaderSize(r io.Reader, size int) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < size {
		br = bufio.NewReaderSize(r, size)
	}
	return &Reader{src: br}
}

// Next advances to the next node and returns its header. Nodes come in NAR
// order: a directory, then its entries sorted by name, each with its own
// subtree. At the end of the NAR, Next returns io.EOF, after checking that
// the stream ends there too. Any unread contents of the previous file are
// skipped (and checked).
func (r *Reader) Next() (*Header, error) {
	if r.err != nil {
		return nil, r.err
	}
	h, err := r.next()
	if err != nil {
		r.err = err
		return nil, err
	}
	return h, nil
}

// Read reads from the contents of the current regular file. It returns
// (0, io.EOF) at the end of the file, and for other node types.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if !r.inFile || r.remain == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.remain {
		p = p[:r.remain]
	}
	n, err := r.src.Read(p)
	r.off += int64(n)
	r.remain -= int64(n)
	if err == io.EOF {
		if r.remain == 0 {
			return n, nil
		}
	}
	if err != nil {
		err = r.eof(err)
		r.err = err
	}
	return n, err
}

// WriteTo writes the rest of the current file's contents to w, straight
// from the Reader's buffer, so that io.Copy(w, r) needs no buffer of its own.
func (r *Reader) WriteTo(w io.Writer) (n int64, err error) {
	for r.err == nil && r.inFile && r.remain > 0 {
		if r.src.Buffered() == 0 {
			if _, err := r.src.Peek(1); err != nil {
				r.err = r.eof(err)
				break
			}
		}
		b, _ := r.src.Peek(int(min(r.remain, int64(r.src.Buffered()))))
		m, werr := w.Write(b)
		r.src.Discard(m)
		r.off += int64(m)
		r.remain -= int64(m)
		n += int64(m)
		if werr == nil && m < len(b) {
			werr = io.ErrShortWrite
		}
		if werr != nil {
			return n, werr
		}
	}
	return n, r.err
}

func (r *Reader) next() (*Header, error) {
	if !r.start {
		r.start = true
		if err := r.readMagic(); err != nil {
			return nil, err
		}
		return r.node("/")
	}
	if r.inFile {
		if err := r.finishFile(); err != nil {
			return nil, err
		}
	}
	for len(r.dirs) > 0 {
		dir := &r.dirs[len(r.dirs)-1]
		off := r.off
		tag, err := r.readString(maxTagLen, "tag")
		if err != nil {
			return nil, err
		}
		switch string(tag) {
		case ")":
			r.dirs = r.dirs[:len(r.dirs)-1]
			if err := r.closeEntry(); err != nil {
				return nil, err
			}
			continue
		case "entry":
		default:
			return nil, r.fail(off, nil, "bad archive: expected tag 'entry' or ')', got '%s'", tag)
		}
		if err := r.expect("(", "name"); err != nil {
			return nil, err
		}
		off = r.off
		b, err := r.readString(MaxNameLen, "file name")
		if err != nil {
			return nil, err
		}
		name := string(b)
		if msg := validName(name); msg != "" {
			return nil, r.fail(off, nil, "bad archive: %s", msg)
		}
		if name <= dir.prev {
			return nil, r.fail(off, nil, "bad archive: NAR directory is not sorted")
		}
		dir.prev = name
		if err := r.expect("node"); err != nil {
			return nil, err
		}
		return r.node(joinPath(dir.path, name))
	}
	return nil, r.atEOF()
}

// node reads a node up to its contents (regular), its end (symlink) or its
// first entry (directory).
func (r *Reader) node(path string) (*Header, error) {
	if err := r.expect("(", "type"); err != nil {
		return nil, err
	}
	off := r.off
	t, err := r.readString(maxTagLen, "tag")
	if err != nil {
		return nil, err
	}
	h := &Header{Path: path}
	switch string(t) {
	case "regular":
		h.Type = TypeRegular
		off = r.off
		tag, err := r.readString(maxTagLen, "tag")
		if err != nil {
			return nil, err
		}
		if string(tag) == "executable" {
			off = r.off
			v, err := r.readString(maxTagLen, "tag")
			if err != nil {
				return nil, err
			}
			if len(v) != 0 {
				return nil, r.fail(off, nil, "bad archive: executable marker has non-empty value")
			}
			h.Executable = true
			off = r.off
			if tag, err = r.readString(maxTagLen, "tag"); err != nil {
				return nil, err
			}
		}
		if string(tag) != "contents" {
			return nil, r.fail(off, nil, "bad archive: expected tag 'contents', got '%s'", tag)
		}
		off = r.off
		size, err := r.readUint64()
		if err != nil {
			return nil, err
		}
		if size > math.MaxInt64 {
			return nil, r.fail(off, nil, "bad archive: file size %d is too large", size)
		}
		h.Size = int64(size)
		r.inFile, r.remain = true, h.Size
	case "symlink":
		h.Type = TypeSymlink
		if err := r.expect("target"); err != nil {
			return nil, err
		}
		off = r.off
		target, err := r.readString(MaxTargetLen, "symlink target")
		if err != nil {
			return nil, err
		}
		if len(target) == 0 || bytes.IndexByte(target, 0) >= 0 {
			return nil, r.fail(off, nil, "bad archive: invalid symlink target '%s'", target)
		}
		h.LinkTarget = string(target)
		if err := r.expect(")"); err != nil {
			return nil, err
		}
		if err := r.closeEntry(); err != nil {
			return nil, err
		}
	case "directory":
		h.Type = TypeDirectory
		if len(r.dirs) > MaxDepth {
			return nil, r.fail(off, nil, "bad archive: directories nested deeper than %d", MaxDepth)
		}
		r.dirs = append(r.dirs, openDir{path: path})
	default:
		return nil, r.fail(off, nil, "bad archive: unknown file type '%s'", t)
	}
	return h, nil
}

// finishFile skips the rest of the current file, its padding and its ")".
func (r *Reader) finishFile() error {
	r.inFile = false
	for r.remain > 0 {
		n, err := r.src.Discard(int(min(r.remain, 1<<30)))
		r.off += int64(n)
		r.remain -= int64(n)
		if err != nil {
			return r.eof(err)
		}
	}
	// Contents start 8-aligned, so the offset has the size's padding.
	if err := r.readPadding(uint64(r.off)); err != nil {
		return err
	}
	if err := r.expect(")"); err != nil {
		return err
	}
	return r.closeEntry()
}

// closeEntry reads the ")" that closes an entry, after its node's own ")".
// The root node has none.
func (r *Reader) closeEntry() error {
	if len(r.dirs) == 0 {
		return nil
	}
	return r.expect(")")
}

// atEOF checks that the stream ends after the root node.
func (r *Reader) atEOF() error {
	_, err := r.src.ReadByte()
	switch err {
	case io.EOF:
		return io.EOF
	case nil:
		return r.fail(r.off, nil, "bad archive: data after the end of the archive")
	}
	return r.wrap(err)
}
