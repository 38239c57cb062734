package daemon

import (
	"bufio"
	"bytes"
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

// Every proper prefix of a valid handshake fails cleanly; the whole one works.
// The answer to SetOptions (its last 8 bytes) is read with the first
// operation's, which fails instead when it is cut.
func TestTruncatedHandshake(t *testing.T) {
	for _, minor := range []int{21, 26, 34, 35, 38} {
		full := handshakeReply(minor)
		for n := range len(full) {
			c, err := rawServe(t, full[:n], nil)
			if n >= len(full)-8 {
				if err != nil {
					t.Fatalf("1.%d, %d of %d bytes: New: %v", minor, n, len(full), err)
				}
				_, err = c.IsValidPath(ctx, testPath)
				if !strings.HasPrefix(err.Error(), "nix-daemon IsValidPath: ") {
					t.Fatalf("1.%d, %d of %d bytes: IsValidPath: %v", minor, n, len(full), err)
				}
			}
			if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "connection closed by the daemon") {
				t.Fatalf("1.%d, %d of %d bytes: %v", minor, n, len(full), err)
			}
		}
		c, err := rawServe(t, full, nil)
		if err != nil {
			t.Fatalf("1.%d, whole handshake: %v", minor, err)
		}
		c.Close()
	}
}

// replies are valid daemon replies to one operation each, at protocol 1.34.
var replies = []struct {
	name  string
	reply wb
	op    func(c *Client) error
}{
	{"QueryPathInfo", wb{}.u64(stderrNext).str("log\n").last().u64(1).str(testDrv).str(testHash).
		strs(testPath2, testPath).u64(1795924534).u64(120).u64(1).strs(testSig, "k:v").str("fixed:r:sha256:x"),
		func(c *Client) error {
			info, ok, err := c.QueryPathInfo(ctx, testPath)
			if err != nil && (ok || info.Path != "") {
				return errors.New("a failed QueryPathInfo returned a value")
			}
			return err
		}},
	{"QueryPathInfo invalid", wb{}.last().u64(0),
		func(c *Client) error { _, _, err := c.QueryPathInfo(ctx, testPath); return err }},
	{"IsValidPath", wb{}.last().u64(1),
		func(c *Client) error { _, err := c.IsValidPath(ctx, testPath); return err }},
	{"QueryValidPaths", wb{}.last().strs(testPath, testPath2),
		func(c *Client) error { _, err := c.QueryValidPaths(ctx, []string{testPath}, false); return err }},
	{"AddSignatures", wb{}.u64(stderrStartActivity).u64(1).u64(0).u64(0).str("x").u64(1).u64(1).str("f").u64(0).
		u64(stderrStopActivity).u64(1).last().u64(1),
		func(c *Client) error { return c.AddSignatures(ctx, testPath, []string{testSig}) }},
	{"QueryPathFromHashPart", wb{}.last().str(testPath),
		func(c *Client) error { _, err := c.QueryPathFromHashPart(ctx, testPath[11:43]); return err }},
}

// Every proper prefix of a valid reply fails with "connection closed", never
// hangs or panics.
func TestTruncatedReplies(t *testing.T) {
	hs := handshakeReply(34)
	for _, r := range replies {
		for n := range len(r.reply) {
			c, err := rawServe(t, append(append(wb{}, hs...), r.reply[:n]...), nil)
			if err != nil {
				t.Fatal(err)
			}
			err = r.op(c)
			if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "nix-daemon "+strings.Fields(r.name)[0]+": connection closed by the daemon") {
				t.Fatalf("%s, %d of %d bytes: %v", r.name, n, len(r.reply), err)
			}
		}
		c, err := rawServe(t, append(append(wb{}, hs...), r.reply...), nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.op(c); err != nil {
			t.Errorf("%s, whole reply: %v", r.name, err)
		}
	}
}

func TestGarbledHandshake(t *testing.T) {
	for _, tt := range []struct {
		reply wb
		want  string
	}{
		{wb{}.u64(0x12345678), "not a Nix daemon (magic 0x12345678, want 0x6478696f)"},
		{wb{}.u64(0x6478696f).u64(0x222), "unsupported protocol version 0x222"},
		{wb{}.u64(0x6478696f).u64(1<<40 | 0x122), "unsupported protocol version"},
		{wb{}.u64(0x6478696f).u64(0x114), "daemon protocol 1.20 is too old (need 1.21 or newer)"},
		{wb{}.u64(0x6478696f).u64(0x122).u64(1 << 40), "string length 1099511627776 exceeds the limit of 67108864"},
		{wb{}.u64(0x6478696f).u64(0x126).u64(1 << 62), "list length 4611686018427387904 exceeds the limit"},
		{append(wb{}.u64(0x6478696f).u64(0x122).u64(3), "2.8\x01\x00\x00\x00\x00"...), "non-zero padding"},
		{wb{}.u64(0x6478696f).u64(0x122).str("2.8.0").u64(0x1234), "unknown message type 0x1234"},
		{wb{}.u64(0x6478696f).u64(0x122).str("2.8.0").errorMsg("nope"), "nix-daemon: nope"},
	} {
		_, err := rawServe(t, tt.reply, nil)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", fmtWire(tt.reply), err, tt.want)
		}
	}
}

func TestGarbledReplies(t *testing.T) {
	isValid := func(c *Client) error { _, err := c.IsValidPath(ctx, testPath); return err }
	info := func(c *Client) error { _, _, err := c.QueryPathInfo(ctx, testPath); return err }
	infoReply := func(deriver string, refs ...string) wb {
		return wb{}.last().u64(1).str(deriver).str(testHash).strs(refs...).u64(0).u64(1).u64(0).strs().str("")
	}
	for _, tt := range []struct {
		name  string
		reply wb
		op    func(*Client) error
		want  string
	}{
		{"bool 2", wb{}.last().u64(2), isValid, "expected a boolean, got 2"},
		{"unknown message", wb{}.u64(0xdeadbeef), isValid, "unknown message type 0xdeadbeef"},
		{"STDERR_WRITE", wb{}.u64(stderrWrite).str("data"), isValid, "unexpected STDERR_WRITE"},
		{"STDERR_READ", wb{}.u64(stderrRead).u64(100), isValid, "unexpected STDERR_READ"},
		{"field type", wb{}.u64(stderrResult).u64(1).u64(2).u64(1).u64(5), isValid, "unknown field type 5"},
		{"many fields", wb{}.u64(stderrResult).u64(1).u64(2).u64(1 << 50), isValid, "field count 1125899906842624 exceeds"},
		{"error type", wb{}.u64(stderrError).str("Foo"), isValid, `error of type "Foo"`},
		{"error pos", wb{}.u64(stderrError).str("Error").u64(0).str("Error").str("m").u64(1), isValid, "error with a position"},
		{"trace pos", wb{}.u64(stderrError).str("Error").u64(0).str("Error").str("m").u64(0).u64(1).u64(1), isValid, "trace with a position"},
		{"many traces", wb{}.u64(stderrError).str("Error").u64(0).str("Error").str("m").u64(0).u64(1 << 40), isValid, "trace count"},
		{"huge log line", wb{}.u64(stderrNext).u64(1 << 60), isValid, "string length 1152921504606846976 exceeds"},
		{"huge list", wb{}.last().u64(1).str(testDrv).str(testHash).u64(1 << 60), info, "list length 1152921504606846976 exceeds"},
		{"bad reference", infoReply(testDrv, "/etc/passwd"), info, `reference is not a store path: "/etc/passwd"`},
		{"bad deriver", infoReply("drv"), info, `deriver is not a store path: "drv"`},
		{"empty narHash", wb{}.last().u64(1).str("").str("").strs().u64(0).u64(1).u64(0).strs().str(""), info, "empty narHash"},
		{"valid paths", wb{}.last().strs("../x"), func(c *Client) error {
			_, err := c.QueryValidPaths(ctx, []string{testPath}, false)
			return err
		}, `reply lists "../x"`},
		{"hash part", wb{}.last().str("/tmp/x"), func(c *Client) error {
			_, err := c.QueryPathFromHashPart(ctx, testPath[11:43])
			return err
		}, `reply is not a store path: "/tmp/x"`},
	} {
		c, err := rawServe(t, append(handshakeReply(34), tt.reply...), nil)
		if err != nil {
			t.Fatal(err)
		}
		err = tt.op(c)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.name, err, tt.want)
			continue
		}
		// The stream is out of step: later operations fail with the same error.
		if err2 := isValid(c); err2 != err {
			t.Errorf("%s: after a protocol error: %v", tt.name, err2)
		}
	}
}

// A huge length claimed on the wire allocates nothing up front.
func TestHugeLengthDoesNotAllocate(t *testing.T) {
	in := append(wb{}.u64(maxStringLen), "only a few bytes"...)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range 10 {
		d := decoder{r: bufio.NewReader(bytes.NewReader(in))}
		if d.str(); !errors.Is(d.err, io.ErrUnexpectedEOF) {
			t.Fatalf("err = %v", d.err)
		}
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("allocated %d bytes for 10 reads of a truncated 64 MiB string", n)
	}
}

func TestPeerClosesBeforeRequest(t *testing.T) {
	cli, srv := socketPair(t)
	go func() {
		f := &fake{t: t, conn: srv, minor: 34}
		f.handshake(nil)
		srv.Close()
	}()
	c, err := New(ctx, cli, nil)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	err = c.AddSignatures(ctx, testPath, []string{testSig})
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "nix-daemon AddSignatures: connection closed by the daemon") {
		t.Fatalf("AddSignatures: %v", err)
	}
}

// stuck returns a client whose daemon reads requests but never answers.
func stuck(t *testing.T, watchdog bool, opts *Options) *Client {
	cli, srv := net.Pipe()
	go func() {
		f := &fake{t: t, conn: srv, minor: 34}
		if f.handshake(nil) {
			io.Copy(io.Discard, srv)
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

func TestStuckPeer(t *testing.T) {
	for _, watchdog := range []bool{false, true} {
		c := stuck(t, watchdog, &Options{Timeout: 50 * time.Millisecond})
		start := time.Now()
		_, err := c.IsValidPath(ctx, testPath)
		if !errors.Is(err, os.ErrDeadlineExceeded) || err.Error() != "nix-daemon IsValidPath: no reply within 50ms: i/o timeout" {
			t.Fatalf("watchdog %v: %v", watchdog, err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("watchdog %v: took %v", watchdog, d)
		}
		if _, err2 := c.IsValidPath(ctx, testPath); err2 != err {
			t.Errorf("watchdog %v: after a timeout: %v", watchdog, err2)
		}
	}
}

func TestStuckHandshake(t *testing.T) {
	cli, srv := net.Pipe()
	defer srv.Close()
	go io.Copy(io.Discard, srv)
	_, err := New(ctx, cli, &Options{HandshakeTimeout: 30 * time.Millisecond})
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "nix-daemon handshake: no reply within 30ms") {
		t.Fatalf("New: %v", err)
	}
}

func TestContextCanceled(t *testing.T) {
	for _, watchdog := range []bool{false, true} {
		c := stuck(t, watchdog, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
		_, err := c.IsValidPath(ctx, testPath)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "nix-daemon IsValidPath: ") {
			t.Fatalf("watchdog %v: %v", watchdog, err)
		}
	}
	// A context that is already done sends nothing and spoils nothing.
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1))
	})
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.IsValidPath(done, testPath); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled context: %v", err)
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
}

func TestCloseDuringOp(t *testing.T) {
	c := stuck(t, false, nil)
	errc := make(chan error)
	go func() {
		_, err := c.IsValidPath(ctx, testPath)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	c.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("IsValidPath: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not interrupt the operation")
	}
}
