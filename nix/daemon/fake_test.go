package daemon

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// wb builds daemon-side bytes. It is written independently of the package's
// encoder so that tests do not check the encoder against itself.
type wb []byte

func (b wb) u64(n uint64) wb { return binary.LittleEndian.AppendUint64(b, n) }

func (b wb) str(s string) wb {
	b = b.u64(uint64(len(s)))
	b = append(b, s...)
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

func (b wb) strs(ss ...string) wb {
	b = b.u64(uint64(len(ss)))
	for _, s := range ss {
		b = b.str(s)
	}
	return b
}

func (b wb) last() wb { return b.u64(stderrLast) }

// structured error, protocol 1.26+
func (b wb) errorMsg(msg string, traces ...string) wb {
	b = b.u64(stderrError).str("Error").u64(0).str("Error").str(msg).u64(0).u64(uint64(len(traces)))
	for _, t := range traces {
		b = b.u64(0).str(t)
	}
	return b
}

// setOptionsRequest is the SetOptions request the client must send.
func setOptionsRequest() wb {
	return wb{}.u64(19).u64(0).u64(0).u64(0).u64(3).u64(1).u64(0).u64(1).u64(0).u64(0).u64(0).
		u64(uint64(runtime.NumCPU())).u64(1).u64(0)
}

const (
	testPath  = "/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-daemon-exp-1"
	testDrv   = "/nix/store/10nl2j3j6kvsb9llaib7v5hi5bnzjlsn-daemon-exp-1.drv"
	testPath2 = "/nix/store/i9pmrzmpshapij2kin22pff6fc2adavx-hello.txt"
	testHash  = "10551daed7fa467d0b58826e7eb9a0f2af7d693de319f2ef775fffcda244b9f6"
	testSig   = "test-key-1:VjTVC1QeyzV6W2LUfsTo8naPHwNFtTEjKckjrSiRwqe5uInI4Mlx8j1WfJGXxBVcKlUmliiY04tHUIf9yKIsBQ=="
	badPath   = "/nix/store/00000000000000000000000000000000-nope"
)

// fake is the daemon end of a connection.
type fake struct {
	t     testing.TB
	conn  io.ReadWriter
	minor int
	trust uint64
}

// expect reads len(want) bytes and fails the test if they differ.
func (f *fake) expect(want []byte) bool {
	f.t.Helper()
	got := make([]byte, len(want))
	if _, err := io.ReadFull(f.conn, got); err != nil {
		f.t.Errorf("fake daemon: reading %d bytes: %v", len(want), err)
		return false
	}
	if !bytes.Equal(got, want) {
		f.t.Errorf("fake daemon: client sent\n%s\nwant\n%s", hex.Dump(got), hex.Dump(want))
		return false
	}
	return true
}

func (f *fake) send(b []byte) bool {
	f.t.Helper()
	if _, err := f.conn.Write(b); err != nil {
		f.t.Errorf("fake daemon: write: %v", err)
		return false
	}
	return true
}

// handshake plays the daemon side of the handshake and SetOptions, with the
// stderr messages extra before the STDERR_LAST that ends the handshake. The
// client sends its version with the magic, and SetOptions with the end of
// the handshake; the fake reads each of those writes whole before it
// answers, so that it also works over a net.Pipe, which has no buffer.
func (f *fake) handshake(extra wb) bool {
	f.t.Helper()
	if !f.expect(wb{}.u64(0x6e697863).u64(ClientVersion)) ||
		!f.send(wb{}.u64(0x6478696f).u64(uint64(1<<8|f.minor))) {
		return false
	}
	var want wb
	if f.minor >= 38 {
		want = want.strs()
	}
	want = append(want.u64(0).u64(0), setOptionsRequest()...)
	if !f.expect(want) {
		return false
	}
	var b wb
	if f.minor >= 38 {
		b = b.strs("some-future-feature")
	}
	if f.minor >= 33 {
		b = b.str("2.99.0")
	}
	if f.minor >= 35 {
		b = b.u64(f.trust)
	}
	// The end of the handshake, then the answer to SetOptions.
	return f.send(append(append(b, extra...), wb{}.last().last()...))
}

// startFake connects a Client to a fake daemon at protocol 1.minor that runs
// serve after the handshake. It returns once the handshake is done.
func startFake(t testing.TB, minor int, opts *Options, serve func(f *fake)) *Client {
	t.Helper()
	c, err := tryFake(t, minor, opts, serve)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func tryFake(t testing.TB, minor int, opts *Options, serve func(f *fake)) (*Client, error) {
	t.Helper()
	cli, srv := net.Pipe()
	f := &fake{t: t, conn: srv, minor: minor, trust: 1}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srv.Close()
		if f.handshake(nil) && serve != nil {
			serve(f)
		}
	}()
	t.Cleanup(func() {
		cli.Close()
		<-done
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return New(ctx, cli, opts)
}

// rawServe connects a Client to a server that writes reply and then shuts
// down its side of the connection, while it keeps draining what the client
// sends.
func rawServe(t testing.TB, reply []byte, opts *Options) (*Client, error) {
	t.Helper()
	cli, srv := socketPair(t)
	go io.Copy(io.Discard, srv)
	go func() {
		srv.Write(reply)
		srv.CloseWrite()
	}()
	return New(context.Background(), cli, opts)
}

// socketPair returns the two ends of a connected Unix socket pair, closed at
// the end of the test.
func socketPair(t testing.TB) (*net.UnixConn, *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "socketpair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c.(*net.UnixConn)
	}
	return conn(fds[0]), conn(fds[1])
}

// handshakeReply is the daemon's side of a whole handshake and SetOptions.
func handshakeReply(minor int) wb {
	b := wb{}.u64(0x6478696f).u64(uint64(1<<8 | minor))
	if minor >= 38 {
		b = b.strs()
	}
	if minor >= 33 {
		b = b.str("2.8.0")
	}
	if minor >= 35 {
		b = b.u64(1)
	}
	return b.last().last()
}

// noDeadline hides SetDeadline so that the client falls back to its watchdog.
type noDeadline struct{ io.ReadWriteCloser }

func fmtWire(b []byte) string {
	var s string
	for i := 0; i < len(b); i += 8 {
		s += fmt.Sprintf("%x ", b[i:min(i+8, len(b))])
	}
	return s
}

func isRemote(err error) (*RemoteError, bool) {
	var re *RemoteError
	ok := errors.As(err, &re)
	return re, ok
}
