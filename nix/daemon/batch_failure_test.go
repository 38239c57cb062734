package daemon

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// writerRunning reports whether a pipeline's writer goroutine is alive.
func writerRunning() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return strings.Contains(string(buf), "writeRequests")
}

func checkNoWriter(t *testing.T) {
	t.Helper()
	if writerRunning() {
		t.Error("a pipeline returned with its writer still running")
	}
}

// Every proper prefix of a batch's replies fails with "connection closed":
// the replies before the cut stand, the others get the error.
func TestBatchTruncated(t *testing.T) {
	reply, _ := infoReply(34, testPath)
	full := cat(reply, wb{}.errorMsg("boom"), reply)
	ends := []int{len(reply), len(reply) + len(wb{}.errorMsg("boom")), len(full)} // where each reply ends
	paths := []string{testPath, testPath, testPath}
	for n := 0; n < len(full); n++ {
		if n%8 != 0 && n%8 != 3 {
			continue // every reply ends on a multiple of 8: enough to cut at, and within u64s
		}
		c, err := rawServe(t, append(handshakeReply(34), full[:n]...), nil)
		if err != nil {
			t.Fatal(err)
		}
		replies, err := c.QueryPathInfos(ctx, paths)
		if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "nix-daemon QueryPathInfo: connection closed by the daemon") {
			t.Fatalf("%d of %d bytes: %v", n, len(full), err)
		}
		for i, r := range replies {
			answered := n >= ends[i]
			if answered && (r.Err == err || !r.Valid && r.Err == nil) || !answered && (r.Err != err || r.Valid) {
				t.Fatalf("%d of %d bytes: reply %d: %+v", n, len(full), i, r)
			}
		}
		checkNoWriter(t)
		// Later operations fail with the same error.
		if _, err2 := c.IsValidPath(ctx, testPath); err2 != err {
			t.Fatalf("after a truncated batch: %v", err2)
		}
	}
	c, err := rawServe(t, append(handshakeReply(34), full...), nil)
	if err != nil {
		t.Fatal(err)
	}
	if replies, err := c.QueryPathInfos(ctx, paths); err != nil || !replies[0].Valid || replies[1].Err == nil || !replies[2].Valid {
		t.Errorf("whole replies: %+v, %v", replies, err)
	}
}

// A malformed reply stops the batch while the writer is still blocked
// sending the requests (a net.Pipe has no buffer): the writer is released
// and the error is the reply's.
func TestBatchGarbledWhileWriting(t *testing.T) {
	for _, watchdog := range []bool{false, true} {
		cli, srv := net.Pipe()
		go func() {
			f := &fake{t: t, conn: srv, minor: 34}
			if f.handshake(nil) && f.expect(wb{}.u64(26).str(testPath)) {
				f.send(wb{}.u64(0xdeadbeef)) // and read no more
			}
		}()
		t.Cleanup(func() { srv.Close() })
		var rwc io.ReadWriteCloser = cli
		if watchdog {
			rwc = noDeadline{cli}
		}
		c, err := New(ctx, rwc, &Options{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		paths := make([]string, 1000)
		for i := range paths {
			paths[i] = testPath
		}
		start := time.Now()
		_, err = c.QueryPathInfos(ctx, paths)
		if err == nil || !strings.Contains(err.Error(), "unknown message type 0xdeadbeef") {
			t.Errorf("watchdog %v: %v", watchdog, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("watchdog %v: took %v", watchdog, d)
		}
		checkNoWriter(t)
	}
}

// A peer that stops answering, or stops reading, makes the batch fail once
// the time limit passes after the last reply, with either transport.
func TestBatchStuck(t *testing.T) {
	reply, _ := infoReply(34, testPath)
	for _, reading := range []bool{true, false} {
		for _, watchdog := range []bool{false, true} {
			cli, srv := net.Pipe()
			go func() {
				f := &fake{t: t, conn: srv, minor: 34}
				if f.handshake(nil) && f.expect(wb{}.u64(26).str(testPath)) && f.send(reply) && reading {
					io.Copy(io.Discard, srv)
				}
			}()
			t.Cleanup(func() { srv.Close() })
			var rwc io.ReadWriteCloser = cli
			if watchdog {
				rwc = noDeadline{cli}
			}
			c, err := New(ctx, rwc, &Options{Timeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			replies, err := c.QueryPathInfos(ctx, []string{testPath, testPath, testPath})
			if !errors.Is(err, os.ErrDeadlineExceeded) || err.Error() != "nix-daemon QueryPathInfo: no reply within 100ms: i/o timeout" {
				t.Errorf("reading %v, watchdog %v: %v", reading, watchdog, err)
			}
			if len(replies) != 3 || !replies[0].Valid || replies[1].Err != err || replies[2].Err != err {
				t.Errorf("reading %v, watchdog %v: replies %+v", reading, watchdog, replies)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("reading %v, watchdog %v: took %v", reading, watchdog, d)
			}
			checkNoWriter(t)
		}
	}
}

// slow plays a daemon that answers each AddSignatures after delay.
func slow(t *testing.T, watchdog bool, delay time.Duration, opts *Options) *Client {
	cli, srv := net.Pipe()
	go func() {
		f := &fake{t: t, conn: srv, minor: 34}
		if !f.handshake(nil) {
			return
		}
		req := wb{}.u64(37).str(testPath).strs(testSig)
		got := make([]byte, len(req))
		for {
			if _, err := io.ReadFull(srv, got); err != nil {
				return // the client went away
			}
			if string(got) != string(req) {
				t.Errorf("request %x, want %x", got, req)
				return
			}
			time.Sleep(delay)
			if _, err := srv.Write(wb{}.last().u64(1)); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { srv.Close() })
	var rwc io.ReadWriteCloser = cli
	if watchdog {
		rwc = noDeadline{cli}
	}
	c, err := New(ctx, rwc, opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func sigBatch(n int) ([]string, [][]string) {
	paths := make([]string, n)
	sigs := make([][]string, n)
	for i := range paths {
		paths[i], sigs[i] = testPath, []string{testSig}
	}
	return paths, sigs
}

// The time limit bounds the wait for each reply, not the whole batch.
func TestBatchLimitPerReply(t *testing.T) {
	for _, watchdog := range []bool{false, true} {
		c := slow(t, watchdog, 40*time.Millisecond, &Options{Timeout: 200 * time.Millisecond})
		paths, sigs := sigBatch(8) // about 320ms in all
		errs, err := c.AddSignaturesMany(ctx, paths, sigs)
		if err != nil || len(errs) != 8 || errs[7] != nil {
			t.Errorf("watchdog %v: %v, %v", watchdog, errs, err)
		}
	}
}

// A canceled context stops a batch at once, although replies keep coming
// (each of which restarts the time limit).
func TestBatchCanceled(t *testing.T) {
	for _, watchdog := range []bool{false, true} {
		c := slow(t, watchdog, 10*time.Millisecond, nil)
		paths, sigs := sigBatch(1000) // 10 s
		cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		start := time.Now()
		errs, err := c.AddSignaturesMany(cctx, paths, sigs)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || !strings.HasPrefix(err.Error(), "nix-daemon AddSignatures: ") {
			t.Errorf("watchdog %v: %v", watchdog, err)
		}
		if errs[0] != nil || errs[999] != err {
			t.Errorf("watchdog %v: errs[0] = %v, errs[999] = %v", watchdog, errs[0], errs[999])
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("watchdog %v: took %v", watchdog, d)
		}
		checkNoWriter(t)
	}
}
