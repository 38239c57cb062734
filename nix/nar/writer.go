package nar

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrWriteTooLong is returned by [Writer.Write] when more than Header.Size
// bytes are written for a file.
var ErrWriteTooLong = errors.New("nar: write too long")

// Writer writes a NAR node by node, like archive/tar: WriteHeader for each
// node in NAR order (a directory before its entries, entries sorted by
// name), Write for the contents of regular files, then Close.
//
// The Writer checks what a Reader checks, so that its output can always be
// read back: headers out of order, duplicate or invalid names, mismatched
// sizes are errors (and stick). Output is buffered; Close flushes it.
type Writer struct {
	e      encoder
	dirs   []openDir // open directories, root first
	remain int64     // bytes of the current file still to be written
	size   int64
	inFile bool
	root   bool // root node written
	closed bool
	err    error
}

// NewWriter returns a Writer of a NAR to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{e: encoder{w: w, buf: *smallBufPool.Get().(*[]byte)}}
}

// WriteHeader writes the node described by h and, for a regular file,
// prepares to accept its h.Size bytes of contents. The first header must be
// the root, Path "/"; later ones must name an entry of a directory that is
// still open, in NAR order.
func (w *Writer) WriteHeader(h *Header) error {
	if w.closed {
		return errClosed
	}
	if w.err != nil {
		return w.err
	}
	if err := w.writeHeader(h); err != nil {
		w.err = err
		return err
	}
	return w.e.err
}

func (w *Writer) writeHeader(h *Header) error {
	if err := w.finishFile(); err != nil {
		return err
	}
	if err := checkHeader(h); err != nil {
		return err
	}
	if !w.root {
		if h.Path != "/" {
			return fmt.Errorf("nar: first header is %q, not the root \"/\"", h.Path)
		}
		w.root = true
		w.e.raw(tokMagic)
		w.node(h)
		return nil
	}
	parent, name, ok := splitPath(h.Path)
	if !ok {
		return fmt.Errorf("nar: invalid path %q", h.Path)
	}
	if msg := validName(name); msg != "" {
		return fmt.Errorf("nar: %q: %s", h.Path, msg)
	}
	i := len(w.dirs) - 1
	for i >= 0 && w.dirs[i].path != parent {
		i--
	}
	if i < 0 {
		return fmt.Errorf("nar: %q: parent directory is not open", h.Path)
	}
	if name <= w.dirs[i].prev {
		return fmt.Errorf("nar: %q: not sorted after %q", h.Path, joinPath(parent, w.dirs[i].prev))
	}
	if h.Type == TypeDirectory && i+1 > MaxDepth {
		return fmt.Errorf("nar: %q: directories nested deeper than %d", h.Path, MaxDepth)
	}
	w.closeDirs(i + 1)
	w.dirs[i].prev = name
	w.e.raw(tokEntry)
	w.e.str(name)
	w.e.raw(tokNode)
	w.node(h)
	return nil
}

func checkHeader(h *Header) error {
	ok := true
	switch h.Type {
	case TypeRegular:
		ok = h.Size >= 0 && h.LinkTarget == ""
	case TypeSymlink:
		if h.LinkTarget == "" || len(h.LinkTarget) > MaxTargetLen || strings.IndexByte(h.LinkTarget, 0) >= 0 {
			return fmt.Errorf("nar: %q: invalid symlink target", h.Path)
		}
		ok = h.Size == 0 && !h.Executable
	case TypeDirectory:
		ok = h.Size == 0 && !h.Executable && h.LinkTarget == ""
	default:
		return fmt.Errorf("nar: %q: invalid type %v", h.Path, h.Type)
	}
	if !ok {
		return fmt.Errorf("nar: %q: fields do not match type %v", h.Path, h.Type)
	}
	return nil
}

func (w *Writer) node(h *Header) {
	switch h.Type {
	case TypeRegular:
		w.e.raw(tokRegular)
		if h.Executable {
			w.e.raw(tokExecutable)
		}
		w.e.raw(tokContents)
		w.e.u64(uint64(h.Size))
		w.inFile, w.remain, w.size = true, h.Size, h.Size
	case TypeSymlink:
		w.e.raw(tokSymlink)
		w.e.str(h.LinkTarget)
		w.closeNode()
	case TypeDirectory:
		w.e.raw(tokDirectory)
		w.dirs = append(w.dirs, openDir{path: h.Path})
	}
}

// closeNode ends a node and, unless it is the root, its entry.
func (w *Writer) closeNode() {
	w.e.raw(tokClose)
	if len(w.dirs) > 0 {
		w.e.raw(tokClose)
	}
}

// closeDirs closes the open directories from depth n down.
func (w *Writer) closeDirs(n int) {
	for len(w.dirs) > n {
		w.dirs = w.dirs[:len(w.dirs)-1]
		w.closeNode()
	}
}

func (w *Writer) finishFile() error {
	if !w.inFile {
		return nil
	}
	if w.remain > 0 {
		return fmt.Errorf("nar: missed writing %d bytes", w.remain)
	}
	w.inFile = false
	w.e.pad(w.size)
	w.closeNode()
	return nil
}

// Write writes to the contents of the current regular file. Writing more
// than its Header.Size returns ErrWriteTooLong.
func (w *Writer) Write(p []byte) (int, error) {
	if w.closed {
		return 0, errClosed
	}
	if w.err != nil {
		return 0, w.err
	}
	if !w.inFile {
		return 0, ErrWriteTooLong
	}
	var err error
	if int64(len(p)) > w.remain {
		p, err = p[:w.remain], ErrWriteTooLong
	}
	w.e.bytes(p)
	w.remain -= int64(len(p))
	if w.e.err != nil {
		w.err = w.e.err
		return 0, w.err
	}
	return len(p), err
}

// Close completes the NAR (closing the open directories) and flushes it. It
// does not close the underlying writer. After Close, the Writer only
// returns errors.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	err := w.err
	if err == nil && !w.root {
		err = errors.New("nar: no root node")
	}
	if err == nil {
		err = w.finishFile()
	}
	if err == nil {
		w.closeDirs(0)
	} else {
		w.e.err = err // do not flush a broken NAR
	}
	err = w.e.close()
	w.err = err
	return err
}

var errClosed = errors.New("nar: write after close")
