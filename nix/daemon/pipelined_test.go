package daemon

import (
	"errors"
	"io"
	"io/fs"
	"net"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// pipelinedFake plays a daemon that answers nothing before it has read all
// that a pipelining client sends ahead: the version with the magic,
// SetOptions with the end of the handshake, and the first request before
// the answer to SetOptions. A client that waited for an answer before
// sending the next part would time out.
func pipelinedFake(t *testing.T, srv io.ReadWriter, minor int, setOptsAnswer, request, reply wb) {
	f := &fake{t: t, conn: srv, minor: minor}
	if !f.expect(wb{}.u64(0x6e697863).u64(ClientVersion)) {
		return
	}
	hello := wb{}.u64(0x6478696f).u64(uint64(1<<8 | minor))
	if minor >= 38 {
		// A daemon sends its features once it has the client's version.
		hello = hello.strs("some-future-feature")
	}
	if !f.send(hello) {
		return
	}
	var want wb
	if minor >= 38 {
		want = want.strs()
	}
	if !f.expect(append(want.u64(0).u64(0), setOptionsRequest()...)) {
		return
	}
	// The end of the handshake only.
	end := wb{}.str("2.8.0")
	if minor >= 35 {
		end = end.u64(1)
	}
	if !f.send(end.last()) || !f.expect(request) {
		return
	}
	f.send(append(setOptsAnswer, reply...))
}

// The client sends SetOptions without waiting for the end of the
// handshake, and its first request without waiting for the answer to
// SetOptions, whose log lines it still passes on.
func TestSetOptionsPipelined(t *testing.T) {
	cli, srv := socketPair(t)
	go pipelinedFake(t, srv, 35,
		wb{}.u64(stderrNext).str("warning: setting 'x' is unknown\n").last(),
		wb{}.u64(opIsValidPath).str(testPath),
		wb{}.u64(stderrNext).str("checking\n").last().u64(1))
	var lines []string
	c, err := New(ctx, cli, &Options{HandshakeTimeout: 5 * time.Second, Timeout: 5 * time.Second,
		Log: func(s string) { lines = append(lines, s) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(lines) != 0 {
		t.Errorf("New read the answer to SetOptions: %q", lines)
	}
	if c.DaemonVersion() != "2.8.0" || c.Trust() != Trusted || c.ProtocolVersion() != 1<<8|35 {
		t.Errorf("handshake: %q %v", c.DaemonVersion(), c.Trust())
	}
	ok, err := c.IsValidPath(ctx, testPath)
	if !ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
	if want := []string{"warning: setting 'x' is unknown", "checking"}; !slices.Equal(lines, want) {
		t.Errorf("log = %q, want %q", lines, want)
	}
}

// The first request of a pipelined batch, too, goes out before the answer to
// SetOptions is read.
func TestSetOptionsPipelinedBatch(t *testing.T) {
	reply, info := infoReply(34, testPath)
	cli, srv := socketPair(t)
	go pipelinedFake(t, srv, 34, wb{}.last(), wb{}.u64(opQueryPathInfo).str(testPath), reply)
	c, err := New(ctx, cli, &Options{HandshakeTimeout: 5 * time.Second, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	replies, err := c.QueryPathInfos(ctx, []string{testPath})
	if err != nil || !replies[0].Valid || replies[0].Info.Deriver != info.Deriver {
		t.Fatalf("QueryPathInfos = %+v, %v", replies, err)
	}
	checkNoWriter(t)
}

// At protocol 1.38, the client's (empty) feature list goes out with the end
// of the handshake, without waiting for the daemon's.
func TestHandshakePipelined138(t *testing.T) {
	cli, srv := socketPair(t)
	go pipelinedFake(t, srv, 38, wb{}.last(), wb{}.u64(opIsValidPath).str(testPath), wb{}.last().u64(0))
	c, err := New(ctx, cli, &Options{HandshakeTimeout: 5 * time.Second, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, err := c.IsValidPath(ctx, testPath); ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
}

// A daemon that refuses SetOptions fails the first operation, which cannot
// trust the stream any more: the connection is closed, and the error is not
// a *RemoteError (which would mean the connection stays usable).
func TestSetOptionsRefused(t *testing.T) {
	cli, srv := socketPair(t)
	go pipelinedFake(t, srv, 34, wb{}.errorMsg("\x1b[31;1mno\x1b[0m options for you"),
		wb{}.u64(opIsValidPath).str(testPath), wb{}.last().u64(1))
	c, err := New(ctx, cli, &Options{HandshakeTimeout: 5 * time.Second, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.IsValidPath(ctx, testPath)
	if err == nil || err.Error() != "nix-daemon IsValidPath: the daemon refused SetOptions: no options for you" {
		t.Fatalf("IsValidPath: %v", err)
	}
	if _, ok := isRemote(err); ok {
		t.Errorf("a refused SetOptions is a *RemoteError: %v", err)
	}
	if _, err2 := c.IsValidPath(ctx, testPath); err2 != err {
		t.Errorf("second IsValidPath: %v, want the first error", err2)
	}
}

// StartDial sends the client's greeting before it returns, so that the
// daemon starts on the connection while the caller works; Finish completes
// the handshake.
func TestStartDial(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "socket")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	greeted := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		conn, err := l.Accept()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		f := &fake{t: t, conn: conn, minor: 34}
		if !f.expect(wb{}.u64(0x6e697863).u64(ClientVersion)) {
			return
		}
		close(greeted)
		if f.send(wb{}.u64(0x6478696f).u64(1<<8|34)) &&
			f.expect(append(wb{}.u64(0).u64(0), setOptionsRequest()...)) &&
			f.send(wb{}.str("2.8.0").last().last()) &&
			f.expect(wb{}.u64(opIsValidPath).str(testPath)) {
			f.send(wb{}.last().u64(1))
		}
	}()
	d, err := StartDial(ctx, sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-greeted:
	case <-time.After(5 * time.Second):
		t.Fatal("StartDial returned before the greeting was sent")
	}
	c, err := d.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Finish(ctx); err == nil {
		t.Error("a second Finish succeeded")
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Errorf("IsValidPath = %v, %v", ok, err)
	}
	c.Close()
	<-finished
}

// Closing a Dialing closes its connection; a socket nobody listens on fails
// StartDial.
func TestStartDialClose(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "socket")
	if _, err := StartDial(ctx, sock, nil); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("StartDial without a socket: %v", err)
	}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	eof := make(chan error, 1)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			eof <- err
			return
		}
		defer conn.Close()
		_, err = io.ReadAll(conn)
		eof <- err
	}()
	d, err := StartDial(ctx, sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Error(err)
	}
	select {
	case err := <-eof:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the daemon's end did not see the connection close")
	}
	if _, err := d.Finish(ctx); err == nil {
		t.Error("Finish after Close succeeded")
	}
}
