package nar

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The trees that were `nix-store --add`ed to make the vectors.
var vectorTrees = map[string][]node{
	"z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.nar": {{"", 'f', "hello world\n"}},
	"hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh.nar":    {{"", 'x', "#!/bin/sh\necho hi\n"}},
	"qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar": {
		{"", 'd', ""},
		{"B", 'f', "B"},
		{"README", 'f', "top\n"},
		{"a/b/c", 'd', ""},
		{"a/b/c/deep.txt", 'f', "deep file contents that are longer than eight bytes\n"},
		{"a/emptydir", 'd', ""},
		{"a/tool", 'x', "#!/bin/sh\nexit 0\n"},
		{"aa", 'f', "aa"},
		{"empty", 'f', ""},
		{"link", 'l', "a/b/c/deep.txt"},
		{"z", 'd', ""},
		{"z/up", 'l', "../README"},
	},
}

// TestDumpVectors builds the vector trees by hand and dumps them.
func TestDumpVectors(t *testing.T) {
	for name, tree := range vectorTrees {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "root")
			mkTree(t, root, tree)
			checkDump(t, root, name)
		})
	}
}

// TestRestoreDumpVectors restores every vector NAR to disk and dumps it
// again.
func TestRestoreDumpVectors(t *testing.T) {
	for _, name := range narVectors(t) {
		t.Run(name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "root")
			if err := Restore(root, bytes.NewReader(readVector(t, name))); err != nil {
				t.Fatal(err)
			}
			checkDump(t, root, name)
		})
	}
}

// checkDump compares Dump, Hash and Validate of root with the vector.
func checkDump(t *testing.T, root, vector string) {
	t.Helper()
	want := readVector(t, vector)
	var got bytes.Buffer
	n, err := Dump(&got, root)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) || n != int64(len(want)) {
		t.Fatalf("Dump = %d bytes\n%x\nwant %d bytes\n%x", n, got.Bytes(), len(want), want)
	}
	digest, size, err := Hash(root)
	if err != nil || size != n {
		t.Fatalf("Hash: size %d, err %v", size, err)
	}
	if b, err := os.ReadFile(vectors + vector + ".sha256.base16"); err == nil {
		if w := strings.TrimSpace(string(b)); hex.EncodeToString(digest[:]) != w {
			t.Errorf("Hash = %x, want %s", digest, w)
		}
	}
	exp, ok := expectedHashes(t)[strings.TrimSuffix(vector, ".nar")]
	if !ok {
		t.Fatalf("%s not in expected-hashes.txt", vector)
	}
	if hex.EncodeToString(digest[:]) != exp.base16 || strconv.FormatInt(size, 10) != exp.size ||
		"sha256-"+base64.StdEncoding.EncodeToString(digest[:]) != exp.sri {
		t.Errorf("Hash = %x %d, want %+v", digest, size, exp)
	}
	vd, vs, err := Validate(bytes.NewReader(want))
	if err != nil || vd != digest || vs != size {
		t.Errorf("Validate = %x, %d, %v; want %x, %d", vd, vs, err, digest, size)
	}
	if sha256.Sum256(want) != digest {
		t.Errorf("Hash differs from sha256 of the vector")
	}
}

// TestReaderRoundTrip reads each vector and writes what it read.
func TestReaderRoundTrip(t *testing.T) {
	for _, name := range narVectors(t) {
		want := readVector(t, name)
		got, err := reserialize(want)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: round trip differs:\n%x\nwant\n%x", name, got, want)
		}
	}
}

// TestMangled changes every byte of every vector: each result must be
// rejected with a FormatError, or be read and written back unchanged.
// Every truncation must be rejected. The small vectors get all 255 changes
// of each byte, the tree vector its 8 bit flips and its complement (all 255
// would take 20 s).
func TestMangled(t *testing.T) {
	all := make([]byte, 0, 255)
	for d := 1; d < 256; d++ {
		all = append(all, byte(d))
	}
	some := []byte{0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff}
	for _, name := range narVectors(t) {
		orig := readVector(t, name)
		deltas := all
		if testing.Short() {
			deltas = some[len(some)-3:]
		} else if len(orig) > 512 {
			deltas = some
		}
		b := bytes.Clone(orig)
		accepted := 0
		for i := range b {
			for _, d := range deltas {
				b[i] = orig[i] ^ d
				got, err := reserialize(b)
				switch {
				case err == nil && !bytes.Equal(got, b):
					t.Fatalf("%s: byte %d ^ %#x accepted but round trip differs", name, i, d)
				case err == nil:
					accepted++
				case !isFormatError(err):
					t.Fatalf("%s: byte %d ^ %#x: not a FormatError: %v", name, i, d, err)
				}
			}
			b[i] = orig[i]
		}
		for n := range orig {
			if _, err := reserialize(orig[:n]); !isFormatError(err) {
				t.Fatalf("%s: truncated to %d: err = %v", name, n, err)
			}
		}
		t.Logf("%s: %d of %d changes accepted (file contents)", name, accepted, len(b)*len(deltas))
	}
}
