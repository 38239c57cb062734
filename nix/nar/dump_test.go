package nar

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDumpEdgeCases(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		nodes []node
		want  []byte
	}{
		{"empty file", []node{{"", 'f', ""}}, narOf(magic, "(", "type", "regular", "contents", "", ")")},
		{"empty exec", []node{{"", 'x', ""}}, narOf(magic, "(", "type", "regular", "executable", "", "contents", "", ")")},
		{"empty dir", []node{{"", 'd', ""}}, narOf(magic, "(", "type", "directory", ")")},
		{"symlink relative", []node{{"", 'l', "a/b"}}, narOf(magic, "(", "type", "symlink", "target", "a/b", ")")},
		{"symlink absolute", []node{{"", 'l', "/nix/store/x"}}, narOf(magic, "(", "type", "symlink", "target", "/nix/store/x", ")")},
		{"symlink dangling", []node{{"", 'l', "../../no/such/file"}}, narOf(magic, "(", "type", "symlink", "target", "../../no/such/file", ")")},
		{"byte order", []node{{"", 'd', ""}, {"c", 'f', ""}, {"B", 'f', ""}, {"_", 'f', ""}, {"-", 'f', ""},
			{".a", 'f', ""}, {"é", 'f', ""}, {"a.b", 'f', ""}, {"a", 'd', ""}, {"a-b", 'f', ""}},
			dirNAR(entry("-", "(", "type", "regular", "contents", "", ")"),
				entry(".a", "(", "type", "regular", "contents", "", ")"),
				entry("B", "(", "type", "regular", "contents", "", ")"),
				entry("_", "(", "type", "regular", "contents", "", ")"),
				entry("a", dirNode...),
				entry("a-b", "(", "type", "regular", "contents", "", ")"),
				entry("a.b", "(", "type", "regular", "contents", "", ")"),
				entry("c", "(", "type", "regular", "contents", "", ")"),
				entry("é", "(", "type", "regular", "contents", "", ")"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-"))
			mkTree(t, root, tc.nodes)
			var buf bytes.Buffer
			if _, err := Dump(&buf, root); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), tc.want) {
				t.Errorf("Dump =\n%q\nwant\n%q", buf.Bytes(), tc.want)
			}
		})
	}
}

// TestDumpExecutable: only the owner-exec bit counts.
func TestDumpExecutable(t *testing.T) {
	dir := t.TempDir()
	for mode, exec := range map[fs.FileMode]bool{0o644: false, 0o744: true, 0o100: true, 0o654: false, 0o645: false, 0o4755: true} {
		p := filepath.Join(dir, mode.String())
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, err := Dump(&buf, p)
		if os.Geteuid() != 0 && mode&0o400 == 0 {
			continue // unreadable
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Contains(buf.Bytes(), []byte("executable")); got != exec {
			t.Errorf("mode %v: executable = %v, want %v", mode, got, exec)
		}
	}
}

func TestDumpErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Dump(io.Discard, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing: err = %v", err)
	}
	// The error of the destination writer, before and after the first
	// flush (when the writes move to their own goroutine).
	boom := errors.New("boom")
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, 5*bigBufSize+3), 0o644); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(filepath.Dir(big), "small")
	if err := os.WriteFile(small, []byte("hello world\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{small, big} {
		if _, err := Dump(failWriter{boom}, p); !errors.Is(err, boom) {
			t.Errorf("%s: err = %v, want boom", p, err)
		}
	}
	for _, ra := range []bool{true, false} {
		readAhead = ra
		if _, err := Dump(&failAfter{n: 3 * bigBufSize, err: boom}, filepath.Dir(big)); !errors.Is(err, boom) {
			t.Errorf("failAfter, readAhead %v: err = %v, want boom", ra, err)
		}
		readAhead = true
	}
}

type failAfter struct {
	n   int
	err error
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.n -= len(p); f.n < 0 {
		return 0, f.err
	}
	return len(p), nil
}

// TestDumpLarge dumps files larger than the buffers (so the writes go
// through the pipe) with odd sizes, and a MultiWriter.
func TestDumpLarge(t *testing.T) {
	root := filepath.Join(t.TempDir(), "root")
	rng := rand.NewChaCha8([32]byte{1})
	sizes := map[string]int{"a": bigBufSize - 20, "b": 3*bigBufSize + 5, "c": 17, "d": 2 * bigBufSize}
	var nodes []node
	nodes = append(nodes, node{"", 'd', ""})
	want := narOf(magic, "(", "type", "directory")
	for _, name := range []string{"a", "b", "c", "d"} {
		data := make([]byte, sizes[name])
		rng.Read(data)
		nodes = append(nodes, node{name, 'x', string(data)})
		want = append(want, entry(name, "(", "type", "regular", "executable", "", "contents", string(data), ")")...)
	}
	want = append(want, narOf(")")...)
	mkTree(t, root, nodes)
	var buf bytes.Buffer
	h := sha256.New()
	n, err := Dump(io.MultiWriter(h, &buf), root)
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("Dump: %d bytes, want %d", n, len(want))
	}
	d, size, err := Hash(root)
	if err != nil || size != n || d != sha256.Sum256(want) || !bytes.Equal(h.Sum(nil), d[:]) {
		t.Errorf("Hash = %x %d %v", d, size, err)
	}
}

func TestHashAll(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 20 {
		p := filepath.Join(dir, strings.Repeat("f", i+1))
		if err := os.WriteFile(p, bytes.Repeat([]byte{byte(i)}, i*100000), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	paths = append(paths, filepath.Join(dir, "missing"))
	for _, workers := range []int{0, 1, 3, 100} {
		res := HashAll(paths, workers)
		if len(res) != len(paths) {
			t.Fatalf("%d results", len(res))
		}
		for i, r := range res {
			d, size, err := Hash(paths[i])
			if r.Path != paths[i] || r.Digest != d || r.Size != size || (err == nil) != (r.Err == nil) {
				t.Errorf("workers %d: result %d = %+v", workers, i, r)
			}
		}
		if !errors.Is(res[len(res)-1].Err, fs.ErrNotExist) {
			t.Errorf("missing: %v", res[len(res)-1].Err)
		}
	}
	if res := HashAll(nil, 0); len(res) != 0 {
		t.Errorf("HashAll(nil) = %v", res)
	}
}

// TestRestore restores a NAR and refuses to overwrite.
func TestRestore(t *testing.T) {
	root := filepath.Join(t.TempDir(), "tree")
	nar := readVector(t, "qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar")
	if err := Restore(root, bytes.NewReader(nar)); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(root, "a/tool")); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("a/tool: %v %v", fi, err)
	}
	if err := Restore(root, bytes.NewReader(nar)); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second Restore = %v", err)
	}
	bad := filepath.Join(filepath.Dir(root), "bad")
	if err := Restore(bad, bytes.NewReader(nar[:1000])); err == nil {
		t.Errorf("truncated Restore succeeded")
	}
	if ents, _ := os.ReadDir(filepath.Dir(root)); len(ents) != 1 {
		t.Errorf("failed Restore left %v", ents)
	}
}
