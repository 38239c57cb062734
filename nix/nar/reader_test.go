package nar

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// Building blocks of hand-made NARs.
func fileNAR(contents string) []byte {
	return narOf(magic, "(", "type", "regular", "contents", contents, ")")
}

func dirNAR(entries ...[]byte) []byte {
	b := narOf(magic, "(", "type", "directory")
	for _, e := range entries {
		b = append(b, e...)
	}
	return append(b, narOf(")")...)
}

func entry(name string, node ...any) []byte {
	return narOf(append(append([]any{"entry", "(", "name", name, "node"}, node...), ")")...)
}

var (
	fileNode = []any{"(", "type", "regular", "contents", "x", ")"}
	dirNode  = []any{"(", "type", "directory", ")"}
)

func deepNAR(depth int) []byte {
	var inner []byte = narOf(dirNode...)
	for range depth {
		inner = narOf(append(append([]any{"(", "type", "directory", "entry", "(", "name", "d", "node"}, inner), ")", ")")...)
	}
	return append(narOf(magic), inner...)
}

func TestReaderErrors(t *testing.T) {
	good := fileNAR("hello world\n")
	padded := narOf(magic, "(", "type", "regular", "contents", uint64(1), []byte("a\x00\x00\x00\x00\x00\x01\x00"), ")")
	tagPad := append(narOf(magic, uint64(1)), "(\x00\x00\x01\x00\x00\x00\x00"...)
	for _, tc := range []struct {
		name string
		nar  []byte
		msg  string
		off  int64 // -1: don't check
	}{
		{"empty", nil, "unexpected end-of-file", 0},
		{"short magic", narOf(uint64(13), []byte("nix-arch")), "unexpected end-of-file", 16},
		{"wrong magic", append(narOf("nix-archive-2"), good[24:]...), "bad archive: input doesn't look like a Nix archive", 0},
		{"huge magic length", narOf(uint64(1 << 62)), "bad archive: input doesn't look like a Nix archive", 0},
		{"unknown field", narOf(magic, "(", "type", "regular", "size", uint64(0)), "bad archive: expected tag 'contents', got 'size'", 72},
		{"second type", narOf(magic, "(", "type", "regular", "type", "regular"), "bad archive: expected tag 'contents', got 'type'", 72},
		{"unknown type", narOf(magic, "(", "type", "fifo", ")"), "bad archive: unknown file type 'fifo'", 56},
		{"no open paren", narOf(magic, "type", "regular"), "bad archive: expected tag '(', got 'type'", 24},
		{"executable marker", narOf(magic, "(", "type", "regular", "executable", "1", "contents", ""), "bad archive: executable marker has non-empty value", 96},
		{"contents then executable", narOf(magic, "(", "type", "regular", "contents", "", "executable", ""), "bad archive: expected tag ')', got 'executable'", 96},
		{"non-zero padding contents", padded, "non-zero padding", 102},
		{"non-zero padding tag", tagPad, "non-zero padding", 35},
		{"empty name", dirNAR(entry("", fileNode...)), "bad archive: NAR contains invalid file name ''", 128},
		{"dot", dirNAR(entry(".", fileNode...)), "bad archive: NAR contains invalid file name '.'", 128},
		{"dotdot", dirNAR(entry("..", fileNode...)), "bad archive: NAR contains invalid file name '..'", 128},
		{"slash", dirNAR(entry("a/b", fileNode...)), "bad archive: NAR contains invalid file name 'a/b'", 128},
		{"NUL", dirNAR(entry("a\x00b", fileNode...)), "bad archive: NAR contains invalid file name 'a\x00b'", 128},
		{"unsorted", dirNAR(entry("b", fileNode...), entry("a", fileNode...)), "bad archive: NAR directory is not sorted", -1},
		{"case unsorted", dirNAR(entry("a", fileNode...), entry("B", fileNode...)), "bad archive: NAR directory is not sorted", -1},
		{"duplicate", dirNAR(entry("a", fileNode...), entry("a", dirNode...)), "bad archive: NAR directory is not sorted", -1},
		{"node before name", narOf(magic, "(", "type", "directory", "entry", "(", "node"), "bad archive: expected tag 'name', got 'node'", 112},
		{"junk in directory", narOf(magic, "(", "type", "directory", "file"), "bad archive: expected tag 'entry' or ')', got 'file'", 80},
		{"trailing string", append(bytes.Clone(good), narOf("x")...), "bad archive: data after the end of the archive", 128},
		{"trailing zero", append(bytes.Clone(good), 0), "bad archive: data after the end of the archive", 128},
		{"long tag", narOf(magic, "(", "type", strings.Repeat("r", 33)), "bad archive: tag is too long (33 bytes)", 56},
		{"long name", dirNAR(entry(strings.Repeat("n", 256), fileNode...)), "bad archive: file name is too long (256 bytes)", 128},
		{"long target", narOf(magic, "(", "type", "symlink", "target", strings.Repeat("t", 4096), ")"), "bad archive: symlink target is too long (4096 bytes)", 88},
		{"empty target", narOf(magic, "(", "type", "symlink", "target", "", ")"), "bad archive: invalid symlink target ''", 88},
		{"huge file", narOf(magic, "(", "type", "regular", "contents", uint64(1<<63)), "bad archive: file size 9223372036854775808 is too large", 88},
		{"too deep", deepNAR(MaxDepth + 1), "bad archive: directories nested deeper than 1024", -1},
		{"truncated tag", good[:30], "unexpected end-of-file", 30},
		{"truncated contents", good[:100], "unexpected end-of-file", 100},
		{"truncated padding", good[:108], "unexpected end-of-file", 108},
		{"truncated after contents", good[:112], "unexpected end-of-file", 112},
		{"unclosed directory", narOf(magic, "(", "type", "directory"), "unexpected end-of-file", 80},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := reserialize(tc.nar)
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FormatError", err)
			}
			if fe.Msg != tc.msg || (tc.off >= 0 && fe.Offset != tc.off) {
				t.Errorf("err = %q at %d, want %q at %d", fe.Msg, fe.Offset, tc.msg, tc.off)
			}
			if (fe.Msg == "unexpected end-of-file") != errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("errors.Is(%v, io.ErrUnexpectedEOF) wrong", err)
			}
			if _, _, verr := Validate(bytes.NewReader(tc.nar)); verr == nil || verr.Error() != err.Error() {
				t.Errorf("Validate err = %v, want %v", verr, err)
			}
		})
	}
}

// TestReaderLimits checks that the longest names and targets and the
// deepest nesting are accepted and round-trip.
func TestReaderLimits(t *testing.T) {
	for name, nar := range map[string][]byte{
		"name 255":    dirNAR(entry(strings.Repeat("n", 255), fileNode...)),
		"target 4095": narOf(magic, "(", "type", "symlink", "target", strings.Repeat("t", 4095), ")"),
		"depth 1024":  deepNAR(MaxDepth),
		"utf8 sorted": dirNAR(entry("-", fileNode...), entry(".a", fileNode...), entry("A", fileNode...),
			entry("_", fileNode...), entry("a", fileNode...), entry("a-b", dirNode...), entry("a.b", fileNode...),
			entry("z", fileNode...), entry("é", fileNode...), entry("\xff", fileNode...)),
		"empty dir": dirNAR(),
		"exec":      narOf(magic, "(", "type", "regular", "executable", "", "contents", "", ")"),
	} {
		got, err := reserialize(nar)
		if err != nil || !bytes.Equal(got, nar) {
			t.Errorf("%s: round trip: %v", name, err)
		}
	}
}

func TestReaderHeaders(t *testing.T) {
	r := NewReader(bytes.NewReader(readVector(t, "qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar")))
	var got []string
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		s := h.Type.String() + " " + h.Path
		switch {
		case h.Type == TypeSymlink:
			s += " -> " + h.LinkTarget
		case h.Executable:
			s += " *" + string(b)
		case h.Type == TypeRegular:
			s += " " + string(b)
		}
		got = append(got, s)
	}
	want := []string{
		"directory /", "regular /B B", "regular /README top\n", "directory /a", "directory /a/b", "directory /a/b/c",
		"regular /a/b/c/deep.txt deep file contents that are longer than eight bytes\n", "directory /a/emptydir",
		"regular /a/tool *#!/bin/sh\nexit 0\n", "regular /aa aa", "regular /empty ", "symlink /link -> a/b/c/deep.txt",
		"directory /z", "symlink /z/up -> ../README",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("Next after EOF = %v", err)
	}
}

// TestReaderPartialRead reads only part of a file's contents: Next skips
// the rest.
func TestReaderPartialRead(t *testing.T) {
	r := NewReader(bytes.NewReader(readVector(t, "qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar")))
	n := 0
	for {
		h, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Size > 1 {
			var b [1]byte
			if _, err := r.Read(b[:]); err != nil {
				t.Fatal(err)
			}
		}
		n++
	}
	if n != 14 {
		t.Errorf("%d nodes, want 14", n)
	}
}

// TestReaderIOError passes through errors of the underlying reader.
func TestReaderIOError(t *testing.T) {
	boom := errors.New("boom")
	nar := readVector(t, "qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar")
	_, err := reserialize2(io.MultiReader(bytes.NewReader(nar[:1000]), errReader{boom}))
	if !errors.Is(err, boom) || isFormatError(err) {
		t.Errorf("err = %v, want boom", err)
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func reserialize2(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.TeeReader(r, io.Discard))
	if err != nil {
		_, _, verr := Validate(io.MultiReader(bytes.NewReader(b), errReader{err}))
		return nil, verr
	}
	return reserialize(b)
}
