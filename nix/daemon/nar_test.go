package daemon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nixsign/nixsign/nix/nar"
)

// vectorNARs returns the NARs that Nix 2.8.0 dumped for the test vectors.
func vectorNARs(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("../../testdata/vectors/*.nar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no vector NARs: %v", err)
	}
	out := make(map[string][]byte)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	return out
}

// trickyNAR is a NAR whose names, targets and contents are the NAR's own
// tags, so that a scanner that took values for tags would stop early or
// late, with a file larger than the client's buffers.
func trickyNAR(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := nar.NewWriter(&buf)
	big := bytes.Repeat([]byte(")"), 100<<10)
	for _, h := range []struct {
		nar.Header
		data []byte
	}{
		{nar.Header{Path: "/", Type: nar.TypeDirectory}, nil},
		{nar.Header{Path: "/(", Type: nar.TypeRegular, Size: 1}, []byte(")")},
		{nar.Header{Path: "/)", Type: nar.TypeSymlink, LinkTarget: ")"}, nil},
		{nar.Header{Path: "/big", Type: nar.TypeRegular, Size: int64(len(big)), Executable: true}, big},
		{nar.Header{Path: "/contents", Type: nar.TypeDirectory}, nil},
		{nar.Header{Path: "/contents/)", Type: nar.TypeDirectory}, nil},
		{nar.Header{Path: "/contents/)/empty", Type: nar.TypeRegular}, nil},
		{nar.Header{Path: "/executable", Type: nar.TypeSymlink, LinkTarget: "type"}, nil},
		{nar.Header{Path: "/name", Type: nar.TypeRegular, Size: 8}, []byte("contents")},
		{nar.Header{Path: "/type", Type: nar.TypeRegular, Size: 10}, []byte("executable")},
	} {
		if err := w.WriteHeader(&h.Header); err != nil {
			t.Fatal(err)
		}
		if len(h.data) > 0 {
			if _, err := w.Write(h.data); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testNARs(t testing.TB) map[string][]byte {
	nars := vectorNARs(t)
	nars["tricky"] = trickyNAR(t)
	return nars
}

// The scanner finds the end of every NAR, fed all at once, byte by byte, or
// with what follows it.
func TestNarScanner(t *testing.T) {
	for name, b := range testNARs(t) {
		var s narScanner
		if n := s.scan(append(append([]byte{}, b...), 1, 2, 3)); n != len(b) || !s.done {
			t.Errorf("%s: whole: scanned %d of %d bytes, done %v", name, n, len(b), s.done)
		}
		s = narScanner{}
		for i := range b {
			if s.done {
				t.Fatalf("%s: done after %d of %d bytes", name, i, len(b))
			}
			if s.scan(b[i:i+1]) != 1 {
				t.Fatalf("%s: byte %d not consumed", name, i)
			}
		}
		if !s.done {
			t.Errorf("%s: byte by byte: not done at the end", name)
		}
	}
}

// narReply is the daemon's answer to NarFromPath: STDERR_LAST (after a log
// line), then the NAR.
func narReply(b []byte) wb {
	return append(wb{}.u64(stderrNext).str("log\n").last(), b...)
}

func narRequest(p string) wb { return wb{}.u64(38).str(p) }

// NarFromPath sends Nix's request, returns the exact NAR, and leaves the
// stream in step for the next request.
func TestNarFromPath(t *testing.T) {
	for name, b := range testNARs(t) {
		t.Run(name, func(t *testing.T) {
			c := startFake(t, 34, nil, func(f *fake) {
				if f.expect(narRequest(testPath)) && f.send(narReply(b)) &&
					f.expect(wb{}.u64(1).str(testPath)) {
					f.send(wb{}.last().u64(1))
				}
			})
			var got bytes.Buffer
			n, err := c.NarFromPath(ctx, testPath, &got)
			if err != nil || n != int64(len(b)) || !bytes.Equal(got.Bytes(), b) {
				t.Fatalf("NarFromPath = %d, %v; got %d bytes, want %d", n, err, got.Len(), len(b))
			}
			if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
				t.Fatalf("next request: %v, %v", ok, err)
			}
		})
	}
}

// Every proper prefix of a NAR reply is a closed connection, and the
// connection stays closed.
func TestNarFromPathTruncated(t *testing.T) {
	b := vectorNARs(t)["qssajlsn08fl1fnnwyn2b7qz8whkka6k-tree.nar"]
	reply := narReply(b)
	for n := range len(reply) {
		c, err := rawServe(t, append(handshakeReply(34), reply[:n]...), nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.NarFromPath(ctx, testPath, io.Discard)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.HasPrefix(err.Error(), "nix-daemon NarFromPath: connection closed by the daemon") {
			t.Fatalf("%d of %d bytes: %v", n, len(reply), err)
		}
		if _, err2 := c.IsValidPath(ctx, testPath); err2 != err {
			t.Fatalf("%d of %d bytes: then %v", n, len(reply), err2)
		}
	}
}

// Bytes after STDERR_LAST that are not a NAR are a protocol error that
// closes the connection; they never hang the client.
func TestNarFromPathGarbage(t *testing.T) {
	hello := vectorNARs(t)["z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.nar"]
	bad := func(i int, v byte) []byte {
		b := bytes.Clone(hello)
		b[i] = v
		return b
	}
	for _, tc := range []struct {
		name  string
		reply []byte
		want  string
	}{
		{"not a NAR", wb{}.last().str("hello"), "input doesn't look like a Nix archive"},
		{"huge length", wb{}.last().u64(1 << 63), "input doesn't look like a Nix archive"},
		{"huge tag", append(bytes.Clone(hello[:24]), wb{}.u64(1<<40)...), "tag is too long"},
		{"a reply of another op", wb{}.last().u64(0).u64(0), "input doesn't look like a Nix archive"},
		{"unknown type", bad(0x40, 'x'), "unknown file type"},
		{"non-zero padding", bad(0x6f, 1), "non-zero padding"},
		{"closed early", append(bytes.Clone(hello[:40]), wb{}.str(")")...), "expected tag 'type', got ')'"},
		{"unbalanced", append(bytes.Clone(hello[:len(hello)-16]), wb{}.str("(")...), "expected tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reply := tc.reply
			if !bytes.HasPrefix(reply, wb{}.last()) {
				reply = narReply(reply)
			}
			// The server keeps the connection open: the error must come
			// from the bytes, not from the end of the stream.
			c := startFake(t, 34, nil, func(f *fake) {
				if f.expect(narRequest(testPath)) && f.send(reply) {
					io.Copy(io.Discard, f.conn)
				}
			})
			_, err := c.NarFromPath(ctx, testPath, io.Discard)
			var fe *nar.FormatError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "nix-daemon NarFromPath: nar: offset ") {
				t.Fatalf("NarFromPath: %v", err)
			}
			if _, err2 := c.IsValidPath(ctx, testPath); err2 != err {
				t.Fatalf("then %v", err2)
			}
		})
	}
}

// A daemon that fails after STDERR_LAST sends its error in the middle of
// the NAR and hangs up: Nix 2.8.0, for a path that is not valid, sends the
// NAR's magic and then the error. The message is reported, and the
// connection is closed.
func TestNarFromPathDaemonError(t *testing.T) {
	msg := "getting status of '\x1b[35;1m" + testPath + "\x1b[0m': No such file or directory"
	want := "nix-daemon NarFromPath: getting status of '" + testPath + "': No such file or directory"
	hello := vectorNARs(t)["z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.nar"]
	for _, prefix := range [][]byte{
		nil,        // in place of the NAR
		hello[:24], // after the magic, as Nix 2.8.0 does
		hello[:56], // in place of the root's type
		hello[:72], // in place of the contents tag
	} {
		c := startFake(t, 34, nil, func(f *fake) {
			if f.expect(narRequest(testPath)) {
				f.send(append(append(wb{}.last(), prefix...), wb{}.errorMsg(msg)...))
			}
		})
		n, err := c.NarFromPath(ctx, testPath, io.Discard)
		if n != 0 || err == nil || err.Error() != want {
			t.Fatalf("after %d bytes: NarFromPath = %d, %v\nwant %s", len(prefix), n, err, want)
		}
		if _, ok := isRemote(err); ok {
			t.Fatal("a lost connection reported as a *RemoteError")
		}
		if _, err2 := c.IsValidPath(ctx, testPath); err2 != err {
			t.Fatalf("then %v", err2)
		}
	}

	// In a file's contents, STDERR_ERROR is a length like any other.
	var s narScanner
	in := append(bytes.Clone(hello[:88]), wb{}.u64(stderrError)...)
	if n := s.scan(in); n != len(in) || s.done || s.interrupted || s.remain != stderrError {
		t.Fatalf("file of STDERR_ERROR bytes: scanned %d of %d, %+v", n, len(in), s)
	}

	// Before STDERR_LAST, the error is a RemoteError; the connection stays.
	c := startFake(t, 34, nil, func(f *fake) {
		if f.expect(narRequest(testPath)) && f.send(wb{}.errorMsg("boom")) && f.expect(wb{}.u64(1).str(testPath)) {
			f.send(wb{}.last().u64(0))
		}
	})
	if _, err := c.NarFromPath(ctx, testPath, io.Discard); err == nil || err.Error() != "nix-daemon: boom" {
		t.Fatalf("NarFromPath: %v", err)
	}
	if ok, err := c.IsValidPath(ctx, testPath); ok || err != nil {
		t.Fatalf("then %v, %v", ok, err)
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n += len(p); w.n > 100 {
		return 0, errors.New("writer full")
	}
	return len(p), nil
}

// A writer that fails does not break the connection: the rest of the NAR
// is read and dropped.
func TestNarFromPathWriterFails(t *testing.T) {
	b := trickyNAR(t)
	c := startFake(t, 34, nil, func(f *fake) {
		if f.expect(narRequest(testPath)) && f.send(narReply(b)) && f.expect(wb{}.u64(1).str(testPath)) {
			f.send(wb{}.last().u64(1))
		}
	})
	n, err := c.NarFromPath(ctx, testPath, &failWriter{})
	if err == nil || err.Error() != "writer full" || n != int64(len(b)) {
		t.Fatalf("NarFromPath = %d, %v", n, err)
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("then %v, %v", ok, err)
	}
}

// The time limit bounds each wait for data, not the transfer: a NAR that
// arrives in slow pieces, each within the limit, is read whole; a daemon
// that stops in the middle fails the operation in time.
func TestNarFromPathTimeLimit(t *testing.T) {
	b := narReply(trickyNAR(t))
	opts := &Options{Timeout: 300 * time.Millisecond}
	c := startFake(t, 34, opts, func(f *fake) {
		if !f.expect(narRequest(testPath)) {
			return
		}
		step := len(b)/5 + 1
		for i := 0; i < len(b); i += step {
			time.Sleep(120 * time.Millisecond)
			if !f.send(b[i:min(i+step, len(b))]) {
				return
			}
		}
	})
	if _, err := c.NarFromPath(ctx, testPath, io.Discard); err != nil {
		t.Fatalf("slow NAR: %v", err)
	}

	c = startFake(t, 34, opts, func(f *fake) {
		if f.expect(narRequest(testPath)) && f.send(b[:len(b)/2]) {
			time.Sleep(time.Second)
		}
	})
	start := time.Now()
	_, err := c.NarFromPath(ctx, testPath, io.Discard)
	if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) > 900*time.Millisecond {
		t.Fatalf("stalled NAR after %v: %v", time.Since(start), err)
	}
}

func TestNarFromPathRefusesOtherPaths(t *testing.T) {
	c := startFake(t, 34, nil, nil)
	if _, err := c.NarFromPath(ctx, "/tmp/x", io.Discard); err == nil || !strings.Contains(err.Error(), "is not a path in the store") {
		t.Fatalf("NarFromPath: %v", err)
	}
}

// BenchmarkNarFromPath reads a 16 MiB NAR of many files through a socket.
func BenchmarkNarFromPath(b *testing.B) {
	var buf bytes.Buffer
	w := nar.NewWriter(&buf)
	w.WriteHeader(&nar.Header{Path: "/", Type: nar.TypeDirectory})
	data := bytes.Repeat([]byte("x"), 16<<10)
	for i := range 1024 {
		w.WriteHeader(&nar.Header{Path: fmt.Sprintf("/f%04d", i), Type: nar.TypeRegular, Size: int64(len(data))})
		w.Write(data)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	reply := narReply(buf.Bytes())
	req := make([]byte, len(narRequest(testPath)))
	c := startFake(b, 34, nil, func(f *fake) {
		for {
			if _, err := io.ReadFull(f.conn, req); err != nil {
				return
			}
			if _, err := f.conn.Write(reply); err != nil {
				return
			}
		}
	})
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := c.NarFromPath(ctx, testPath, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
