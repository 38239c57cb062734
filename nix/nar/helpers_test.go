package nar

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const vectors = "../../testdata/vectors/"

// narOf encodes items: a string as a NAR string, a uint64 as a bare
// integer, a []byte verbatim.
func narOf(items ...any) []byte {
	var b []byte
	for _, it := range items {
		switch v := it.(type) {
		case string:
			b = append(b, tokens(v)...)
		case uint64:
			b = binary.LittleEndian.AppendUint64(b, v)
		case []byte:
			b = append(b, v...)
		default:
			panic("narOf: bad item")
		}
	}
	return b
}

// reserialize reads a NAR and writes what it read with a Writer.
func reserialize(nar []byte) ([]byte, error) {
	var out bytes.Buffer
	r := NewReader(bytes.NewReader(nar))
	w := NewWriter(&out)
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			w.Close()
			return nil, err
		}
		if err := w.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, r); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// node is one file system object to create under a test root: Kind 'f' a
// file, 'x' an executable file, 'l' a symlink to Data, 'd' a directory.
type node struct {
	Path string // slash-separated, relative; "" is the root itself
	Kind byte
	Data string
}

func mkTree(t testing.TB, root string, nodes []node) {
	t.Helper()
	for _, n := range nodes {
		p := filepath.Join(root, filepath.FromSlash(n.Path))
		var err error
		switch n.Kind {
		case 'f':
			err = os.WriteFile(p, []byte(n.Data), 0o644)
		case 'x':
			err = os.WriteFile(p, []byte(n.Data), 0o755)
		case 'l':
			err = os.Symlink(n.Data, p)
		case 'd':
			err = os.MkdirAll(p, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func readVector(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(vectors + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// narVectors returns the file names of the NAR vectors.
func narVectors(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(vectors + "*.nar")
	if err != nil || len(m) == 0 {
		t.Fatalf("no NAR vectors: %v", err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// expectedHash is a line of expected-hashes.txt.
type expectedHash struct {
	size   string
	sri    string
	base16 string
}

// expectedHashes maps "<hash>-<name>" to its narSize and narHash.
func expectedHashes(t testing.TB) map[string]expectedHash {
	t.Helper()
	m := map[string]expectedHash{}
	for _, line := range strings.Split(string(readVector(t, "expected-hashes.txt")), "\n") {
		f := strings.Fields(line)
		if len(f) != 5 || strings.HasPrefix(line, "#") {
			continue
		}
		m[filepath.Base(f[0])] = expectedHash{size: f[1], sri: f[3], base16: f[4]}
	}
	return m
}

func isFormatError(err error) bool {
	var fe *FormatError
	return errors.As(err, &fe)
}
