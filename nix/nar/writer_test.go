package nar

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// TestWriterTree builds the tree vector with a Writer.
func TestWriterTree(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	file := func(path, contents string, exec bool) {
		t.Helper()
		if err := w.WriteHeader(&Header{Path: path, Type: TypeRegular, Size: int64(len(contents)), Executable: exec}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(contents)); err != nil {
			t.Fatal(err)
		}
	}
	hdr := func(h *Header) {
		t.Helper()
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	hdr(&Header{Path: "/", Type: TypeDirectory})
	file("/B", "B", false)
	file("/README", "top\n", false)
	hdr(&Header{Path: "/a", Type: TypeDirectory})
	hdr(&Header{Path: "/a/b", Type: TypeDirectory})
	hdr(&Header{Path: "/a/b/c", Type: TypeDirectory})
	file("/a/b/c/deep.txt", "deep file contents that are longer than eight bytes\n", false)
	hdr(&Header{Path: "/a/emptydir", Type: TypeDirectory})
	file("/a/tool", "#!/bin/sh\nexit 0\n", true)
	file("/aa", "aa", false)
	file("/empty", "", false)
	hdr(&Header{Path: "/link", Type: TypeSymlink, LinkTarget: "a/b/c/deep.txt"})
	hdr(&Header{Path: "/z", Type: TypeDirectory})
	hdr(&Header{Path: "/z/up", Type: TypeSymlink, LinkTarget: "../README"})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if want := readVector(t, "qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar"); !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("Writer output differs from the vector")
	}
	if err := w.WriteHeader(&Header{Path: "/zz", Type: TypeDirectory}); err == nil {
		t.Errorf("WriteHeader after Close succeeded")
	}
}

// TestWriterLarge writes contents bigger than the Writer's buffer in
// pieces of odd sizes.
func TestWriterLarge(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 20000) // 320000 bytes
	var buf bytes.Buffer
	w := NewWriter(&buf)
	w.WriteHeader(&Header{Path: "/", Type: TypeRegular, Size: int64(len(data)), Executable: true})
	for p := data; len(p) > 0; {
		n := min(len(p), 77777)
		if _, err := w.Write(p[:n]); err != nil {
			t.Fatal(err)
		}
		p = p[n:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	want := narOf(magic, "(", "type", "regular", "executable", "", "contents", string(data), ")")
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("large file NAR differs")
	}
}

func TestWriterErrors(t *testing.T) {
	dir := func(p string) *Header { return &Header{Path: p, Type: TypeDirectory} }
	file := func(p string, n int64) *Header { return &Header{Path: p, Type: TypeRegular, Size: n} }
	for _, tc := range []struct {
		name    string
		headers []*Header
		write   string // written after the last header
		close   bool
		msg     string
	}{
		{"no root", nil, "", true, "no root node"},
		{"first not root", []*Header{file("/a", 0)}, "", false, `first header is "/a"`},
		{"relative", []*Header{dir("/"), file("a", 0)}, "", false, `invalid path "a"`},
		{"unsorted", []*Header{dir("/"), file("/b", 0), file("/a", 0)}, "", false, `"/a": not sorted after "/b"`},
		{"case", []*Header{dir("/"), file("/a", 0), file("/B", 0)}, "", false, "not sorted"},
		{"duplicate", []*Header{dir("/"), file("/a", 0), dir("/a")}, "", false, "not sorted"},
		{"parent closed", []*Header{dir("/"), dir("/a"), file("/b", 0), file("/a/x", 0)}, "", false, "parent directory is not open"},
		{"parent is file", []*Header{dir("/"), file("/a", 0), file("/a/x", 0)}, "", false, "parent directory is not open"},
		{"after root file", []*Header{file("/", 0), file("/x", 0)}, "", false, "parent directory is not open"},
		{"dot", []*Header{dir("/"), file("/.", 0)}, "", false, "invalid file name '.'"},
		{"empty name", []*Header{dir("/"), file("/a/", 0)}, "", false, "invalid file name ''"},
		{"long name", []*Header{dir("/"), file("/"+strings.Repeat("n", 256), 0)}, "", false, "longer than 255"},
		{"empty target", []*Header{{Path: "/", Type: TypeSymlink}}, "", false, "invalid symlink target"},
		{"bad type", []*Header{{Path: "/"}}, "", false, "invalid type"},
		{"dir with size", []*Header{{Path: "/", Type: TypeDirectory, Size: 1}}, "", false, "fields do not match"},
		{"missed bytes", []*Header{dir("/"), file("/a", 3)}, "ab", false, "missed writing 1 bytes"},
		{"missed bytes close", []*Header{file("/", 3)}, "ab", true, "missed writing 1 bytes"},
		{"write too long", []*Header{file("/", 1)}, "ab", false, "write too long"},
		{"write to dir", []*Header{dir("/")}, "a", false, "write too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w := NewWriter(&buf)
			var err error
			for _, h := range tc.headers {
				if err = w.WriteHeader(h); err != nil {
					break
				}
			}
			if err == nil && tc.write != "" {
				_, err = w.Write([]byte(tc.write))
				if err == nil && !tc.close {
					err = w.WriteHeader(file("/zzz", 0))
				}
			}
			if err == nil && tc.close {
				err = w.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
			if tc.msg != "write too long" {
				if err2 := w.WriteHeader(file("/zzzz", 0)); err2 == nil {
					t.Errorf("error did not stick")
				}
			}
			if cerr := w.Close(); cerr == nil && tc.msg != "write too long" {
				t.Errorf("Close after error = nil")
			}
			if tc.msg == "write too long" && !errors.Is(err, ErrWriteTooLong) {
				t.Errorf("err = %v, want ErrWriteTooLong", err)
			}
		})
	}
}

// TestWriterFlushError reports an error of the underlying writer.
func TestWriterFlushError(t *testing.T) {
	boom := errors.New("boom")
	w := NewWriter(failWriter{boom})
	w.WriteHeader(&Header{Path: "/", Type: TypeRegular, Size: 10})
	w.Write([]byte("0123456789"))
	if err := w.Close(); !errors.Is(err, boom) {
		t.Errorf("Close = %v, want boom", err)
	}
}

// failWriter fails every write.
type failWriter struct{ err error }

func (f failWriter) Write(p []byte) (int, error) { return 0, f.err }

func TestWriterDepth(t *testing.T) {
	for _, depth := range []int{MaxDepth, MaxDepth + 1} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		p := "/"
		err := w.WriteHeader(&Header{Path: p, Type: TypeDirectory})
		for range depth {
			p = joinPath(p, "d")
			if err = w.WriteHeader(&Header{Path: p, Type: TypeDirectory}); err != nil {
				break
			}
		}
		if err == nil {
			err = w.Close()
		}
		if (err == nil) != (depth <= MaxDepth) {
			t.Errorf("depth %d: err = %v", depth, err)
		}
		if err == nil && !bytes.Equal(buf.Bytes(), deepNAR(depth)) {
			t.Errorf("depth %d: NAR differs", depth)
		}
	}
}
