package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	"github.com/nixsign/nixsign/nix/refscan"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

// filesStore needs no database: it computes a path's NAR hash and size
// from its files and finds its references by scanning its NAR, in the same
// pass, for the hash part of every entry of the store directory, as Nix does
// after a build (where the candidates are the build's inputs and outputs;
// here they are everything in the store, so contents that merely mention an
// unrelated store path also count it as a reference). It records no
// signatures and knows no deriver, content address or ultimate flag.
//
// The store directory that paths are named in (dir, which is part of what
// is signed) may differ from where the files are (real), as in Nix's chroot
// stores: with root=/tmp/r, /nix/store/x is read from /tmp/r/nix/store/x.
type filesStore struct {
	dir, real string

	once    sync.Once
	entries map[string]string // hash part -> base name
	listErr error

	mu    sync.Mutex
	infos map[string]*filesInfo // by base name
}

type filesInfo struct {
	done chan struct{}
	info *sign.PathInfo
	err  error
}

// NewFiles returns the files store for the store directory dir, reading
// files from real ("" means dir itself).
func NewFiles(dir, real string) Store {
	if real == "" {
		real = dir
	}
	return &filesStore{dir: dir, real: filepath.Clean(real), infos: make(map[string]*filesInfo)}
}

func (s *filesStore) String() string {
	if s.real != s.dir {
		return "files (" + s.real + ")"
	}
	return "files"
}

func (s *filesStore) Dir() string  { return s.dir }
func (s *filesStore) Close() error { return nil }

// RealDir returns where the store's files are.
func (s *filesStore) RealDir() string { return s.real }

func (s *filesStore) AddSignatures(context.Context, string, []string) error { return ErrReadOnly }

func (s *filesStore) NAR(ctx context.Context, path string, w io.Writer) error {
	p, err := s.locate(path)
	if err != nil {
		return err
	}
	_, err = nar.Dump(w, p)
	return err
}

// locate checks that path is a store path that exists and returns where its
// files are.
func (s *filesStore) locate(path string) (string, error) {
	sp, err := storepath.Parse(s.dir, path)
	if err != nil {
		return "", err
	}
	real := filepath.Join(s.real, sp.Base())
	if _, err := os.Lstat(real); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", &NotValidError{Path: path, Store: s.String()}
		}
		return "", err
	}
	return real, nil
}

// PathInfo hashes the path (once per run; later calls share the result).
func (s *filesStore) PathInfo(ctx context.Context, path string) (*sign.PathInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	real, err := s.locate(path)
	if err != nil {
		return nil, err
	}
	base := filepath.Base(real)
	s.mu.Lock()
	fi, ok := s.infos[base]
	if !ok {
		fi = &filesInfo{done: make(chan struct{})}
		s.infos[base] = fi
	}
	s.mu.Unlock()
	if !ok {
		fi.info, fi.err = s.compute(base, real)
		close(fi.done)
	}
	select {
	case <-fi.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if fi.err != nil {
		return nil, fi.err
	}
	c := *fi.info
	c.References = slices.Clone(c.References)
	c.Sigs = nil
	return &c, nil
}

func (s *filesStore) compute(base, real string) (*sign.PathInfo, error) {
	sp, err := storepath.ParseBase(base)
	if err != nil {
		return nil, err
	}
	s.once.Do(s.list)
	if s.listErr != nil {
		return nil, s.listErr
	}
	hashes := make([]string, 0, len(s.entries))
	for h := range s.entries {
		hashes = append(hashes, h)
	}
	sc := refscan.NewScanner(hashes)
	h := sha256.New()
	size, err := nar.Dump(io.MultiWriter(h, sc), real)
	if err != nil {
		return nil, err
	}
	var digest [sha256.Size]byte
	h.Sum(digest[:0])
	info := &sign.PathInfo{Path: sp, NarHash: hash.SHA256Sum(digest), NarSize: uint64(size)}
	for _, found := range sc.Found() {
		rp, err := storepath.ParseBase(s.entries[found])
		if err == nil {
			info.References = append(info.References, rp)
		}
	}
	slices.SortFunc(info.References, func(a, b storepath.Path) int { return strings.Compare(a.Base(), b.Base()) })
	return info, nil
}

// list reads the store directory once: the candidates for references.
// Where two entries share a hash part (a path and its build lock file), the
// path wins.
func (s *filesStore) list() {
	des, err := os.ReadDir(s.real)
	if err != nil {
		s.listErr = err
		return
	}
	s.entries = make(map[string]string, len(des))
	for _, de := range des {
		name := de.Name()
		if _, err := storepath.ParseBase(name); err != nil {
			continue
		}
		h := name[:storepath.HashLen]
		if old, ok := s.entries[h]; ok && !strings.HasSuffix(old, ".lock") {
			continue
		}
		s.entries[h] = name
	}
}
