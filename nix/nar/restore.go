package nar

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// Copy copies one NAR from src to dst, checking it as strictly as [Reader]
// does, like Nix's copyNAR. dst receives every byte read from src; src must
// end right after the NAR. It returns the number of bytes copied, which is
// the narSize when err is nil.
func Copy(dst io.Writer, src io.Reader) (n int64, err error) {
	t := &teeReader{r: src, w: dst}
	br := copyBufs.Get().(*bufio.Reader)
	br.Reset(t)
	defer func() { br.Reset(nil); copyBufs.Put(br) }()
	r := newReaderSize(br, copyBufSize)
	for {
		if _, err = r.Next(); err != nil {
			break
		}
	}
	if err == io.EOF {
		err = t.err
	}
	return t.n, err
}

// copyBufs holds Copy's read buffers: Copy runs once per path of a
// verify or a push.
const copyBufSize = 256 << 10

var copyBufs = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, copyBufSize) }}

// Validate reads a whole NAR from src, checks it as [Copy] does, and
// returns its sha256 digest and size: in one pass, the narHash and narSize
// that a narinfo states for it.
func Validate(src io.Reader) (digest [32]byte, size int64, err error) {
	h := sha256.New()
	size, err = Copy(h, src)
	if err != nil {
		return digest, 0, err
	}
	h.Sum(digest[:0])
	return digest, size, nil
}

type teeReader struct {
	r   io.Reader
	w   io.Writer
	n   int64
	err error // from w
}

func (t *teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 && t.err == nil {
		t.n += int64(n)
		if _, werr := t.w.Write(p[:n]); werr != nil {
			t.err = werr
			return n, werr
		}
	}
	return n, err
}

// Restore creates the file system object of the NAR read from r at path,
// like `nix-store --restore path`. path must not exist. Files are created
// with mode 0666 (0777 when executable) and directories 0777, less the
// umask. The tree is built under a temporary name in the same directory and
// renamed to path once complete, so that path appears whole or not at all.
func Restore(path string, r io.Reader) error {
	path = filepath.Clean(path)
	if _, err := os.Lstat(path); err == nil {
		return &fs.PathError{Op: "restore", Path: path, Err: fs.ErrExist}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".nar-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	root := filepath.Join(tmp, "root")
	if err := restore(root, NewReader(r)); err != nil {
		return err
	}
	return os.Rename(root, path)
}

func restore(root string, nr *Reader) error {
	for {
		h, err := nr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		p := root
		if h.Path != "/" {
			p = root + filepath.FromSlash(h.Path)
		}
		switch h.Type {
		case TypeDirectory:
			err = os.Mkdir(p, 0o777)
		case TypeSymlink:
			err = os.Symlink(h.LinkTarget, p)
		case TypeRegular:
			err = restoreFile(p, h, nr)
		default:
			err = errors.New("nar: unknown type")
		}
		if err != nil {
			return err
		}
	}
}

func restoreFile(p string, h *Header, r io.Reader) error {
	mode := fs.FileMode(0o666)
	if h.Executable {
		mode = 0o777
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
