package daemon

import (
	"context"
	"errors"
	"net"
	"reflect"
	"slices"
	"strings"
	"testing"
)

var ctx = context.Background()

func TestHandshakeVersions(t *testing.T) {
	for _, tt := range []struct {
		minor      int
		nixVersion string
		trust      Trust
	}{
		{21, "", TrustUnknown},
		{26, "", TrustUnknown},
		{34, "2.99.0", TrustUnknown},
		{35, "2.99.0", Trusted},
		{37, "2.99.0", Trusted},
		{38, "2.99.0", Trusted},
		{39, "2.99.0", Trusted}, // a newer daemon: the client stays at 1.38
	} {
		c := startFake(t, tt.minor, nil, nil)
		want := 1<<8 | min(tt.minor, 38)
		if c.ProtocolVersion() != want || c.DaemonVersion() != tt.nixVersion || c.Trust() != tt.trust {
			t.Errorf("1.%d: got version %#x %q %v, want %#x %q %v", tt.minor,
				c.ProtocolVersion(), c.DaemonVersion(), c.Trust(), want, tt.nixVersion, tt.trust)
		}
		c.Close()
	}
}

func TestHandshakeTrust(t *testing.T) {
	for flag, want := range []Trust{TrustUnknown, Trusted, NotTrusted} {
		cli, srv := net.Pipe()
		go func() {
			f := &fake{t: t, conn: srv, minor: 35, trust: uint64(flag)}
			f.handshake(nil)
			srv.Close()
		}()
		c, err := New(ctx, cli, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Trust() != want {
			t.Errorf("flag %d: Trust() = %v, want %v", flag, c.Trust(), want)
		}
		c.Close()
	}
	// 3 is not a valid flag.
	b := wb{}.u64(0x6478696f).u64(1<<8 | 35).str("2.15.0").u64(3).last()
	if _, err := rawServe(t, b, nil); err == nil || !strings.Contains(err.Error(), "invalid trust flag 3") {
		t.Errorf("trust flag 3: err = %v", err)
	}
}

func TestHandshakeLogs(t *testing.T) {
	cli, srv := net.Pipe()
	go func() {
		f := &fake{t: t, conn: srv, minor: 34}
		f.handshake(wb{}.u64(stderrNext).str("warning: ignoring untrusted substituter 'x'\n"))
		srv.Close()
	}()
	var lines []string
	c, err := New(ctx, cli, &Options{Log: func(s string) { lines = append(lines, s) }})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if want := []string{"warning: ignoring untrusted substituter 'x'"}; !slices.Equal(lines, want) {
		t.Errorf("log = %q, want %q", lines, want)
	}
}

// Each operation's request, byte for byte, at protocol versions on both sides
// of the changes that affect it.
func TestOpsEncoding(t *testing.T) {
	infoReply := func(minor int) wb {
		b := wb{}.last()
		if minor >= 17 {
			b = b.u64(1)
		}
		b = b.str(testDrv).str(testHash).strs(testPath2).u64(1795924534).u64(120)
		if minor >= 16 {
			b = b.u64(1).strs("a:x", "b:y").str("")
		}
		return b
	}
	wantInfo := PathInfo{Path: testPath, Deriver: testDrv, NarHash: testHash, References: []string{testPath2},
		RegistrationTime: 1795924534, NarSize: 120, Ultimate: true, Sigs: []string{"a:x", "b:y"}}

	for _, minor := range []int{21, 26, 27, 34, 35, 38} {
		var got []any
		c := startFake(t, minor, nil, func(f *fake) {
			_ = f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1)) &&
				f.expect(wb{}.u64(1).str(badPath)) && f.send(wb{}.last().u64(0)) &&
				f.expect(wb{}.u64(26).str(testPath)) && f.send(infoReply(minor)) &&
				f.expect(wb{}.u64(26).str(badPath)) && f.send(wb{}.last().u64(0))
			// The paths go out sorted and deduplicated, as Nix's std::set.
			req := wb{}.u64(31).strs(badPath, testPath)
			if minor >= 27 {
				req = req.u64(1)
			}
			_ = f.expect(req) && f.send(wb{}.last().strs(testPath)) &&
				f.expect(wb{}.u64(37).str(testPath).strs("a:x", "b:y")) && f.send(wb{}.last().u64(1)) &&
				f.expect(wb{}.u64(29).str("9zjm4h9dvnzac253lxdvyjb48ffqzvi0")) && f.send(wb{}.last().str(testPath)) &&
				f.expect(wb{}.u64(29).str("00000000000000000000000000000000")) && f.send(wb{}.last().str(""))
		})
		add := func(v any, err error) {
			if err != nil {
				t.Errorf("1.%d: %v", minor, err)
			}
			got = append(got, v)
		}
		add(c.IsValidPath(ctx, testPath))
		add(c.IsValidPath(ctx, badPath))
		info, ok, err := c.QueryPathInfo(ctx, testPath)
		add(info, err)
		add(ok, nil)
		_, ok, err = c.QueryPathInfo(ctx, badPath)
		add(ok, err)
		add(c.QueryValidPaths(ctx, []string{testPath, badPath, testPath}, true))
		add(nil, c.AddSignatures(ctx, testPath, []string{"b:y", "a:x"}))
		add(c.QueryPathFromHashPart(ctx, "9zjm4h9dvnzac253lxdvyjb48ffqzvi0"))
		add(c.QueryPathFromHashPart(ctx, "00000000000000000000000000000000"))
		want := []any{true, false, wantInfo, true, false, []string{testPath}, nil, testPath, ""}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("1.%d: got\n%#v\nwant\n%#v", minor, got, want)
		}
		c.Close()
	}
}

// Log lines, activities and results may come before any reply.
func TestStderrInterleaved(t *testing.T) {
	logs := wb{}.
		u64(stderrStartActivity).u64(7).u64(3).u64(105).str("querying info").u64(2).u64(0).u64(42).u64(1).str("s").u64(0).
		u64(stderrNext).str("line one\n").
		u64(stderrResult).u64(7).u64(101).u64(1).u64(1).str("phase").
		u64(stderrNext).str("line two\r\n").
		u64(stderrStopActivity).u64(7)
	var lines []string
	c := startFake(t, 34, &Options{Log: func(s string) { lines = append(lines, s) }}, func(f *fake) {
		_ = f.expect(wb{}.u64(1).str(testPath)) && f.send(append(logs, wb{}.last().u64(1)...)) &&
			f.expect(wb{}.u64(37).str(testPath).strs(testSig)) && f.send(append(logs, wb{}.last().u64(1)...))
	})
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
	if err := c.AddSignatures(ctx, testPath, []string{testSig}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"line one", "line two", "line one", "line two"}; !slices.Equal(lines, want) {
		t.Errorf("log = %q, want %q", lines, want)
	}
}

func TestRemoteError(t *testing.T) {
	const msg = "you are not privileged to add signatures"
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(37).str(testPath).strs(testSig)) &&
			f.send(wb{}.u64(stderrNext).str("log\n").errorMsg(msg)) &&
			// The connection stays usable.
			f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1)) &&
			f.expect(wb{}.u64(1).str(testPath)) &&
			f.send(wb{}.errorMsg("path '\x1b[35;1m/nix/store/x\x1b[0m' is broken", "while doing a", "while doing b"))
	})
	err := c.AddSignatures(ctx, testPath, []string{testSig})
	re, ok := isRemote(err)
	if !ok || re.Message != msg || err.Error() != "nix-daemon: "+msg {
		t.Fatalf("AddSignatures: %#v", err)
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("after a RemoteError: IsValidPath = %v, %v", ok, err)
	}
	_, err = c.IsValidPath(ctx, testPath)
	re, ok = isRemote(err)
	if !ok || err.Error() != "nix-daemon: path '/nix/store/x' is broken" ||
		!slices.Equal(re.Traces, []string{"while doing a", "while doing b"}) {
		t.Fatalf("IsValidPath: %#v", err)
	}
}

// Before protocol 1.26 an error is str(message) u64(status), and before 1.17
// an invalid path in QueryPathInfo is an error, which means "not valid".
func TestOldErrors(t *testing.T) {
	c := startFake(t, 21, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(37).str(testPath).strs(testSig)) &&
			f.send(wb{}.u64(stderrError).str("you are not privileged to add signatures").u64(1)) &&
			f.expect(wb{}.u64(26).str(badPath)) &&
			f.send(wb{}.u64(stderrError).str("path '"+badPath+"' is not valid").u64(1))
	})
	err := c.AddSignatures(ctx, testPath, []string{testSig})
	if re, ok := isRemote(err); !ok || re.Status != 1 || re.Message != "you are not privileged to add signatures" {
		t.Fatalf("AddSignatures: %#v", err)
	}
	if _, ok, err := c.QueryPathInfo(ctx, badPath); ok || err != nil {
		t.Fatalf("QueryPathInfo = %v, %v", ok, err)
	}
}

func TestBadArguments(t *testing.T) {
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1))
	})
	for _, p := range []string{
		"", "foo", "/nix/store", "/nix/store/", "/tmp/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-x",
		"/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0", "/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-",
		"/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvie-x", "/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-a b",
		"/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-x/sub", "/nix/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-" + strings.Repeat("x", 212),
	} {
		if _, err := c.IsValidPath(ctx, p); err == nil || !strings.Contains(err.Error(), "is not a path in the store") {
			t.Errorf("IsValidPath(%q): %v", p, err)
		}
		if _, _, err := c.QueryPathInfo(ctx, p); err == nil {
			t.Errorf("QueryPathInfo(%q) succeeded", p)
		}
		if err := c.AddSignatures(ctx, p, nil); err == nil {
			t.Errorf("AddSignatures(%q) succeeded", p)
		}
		if _, err := c.QueryValidPaths(ctx, []string{testPath, p}, false); err == nil {
			t.Errorf("QueryValidPaths(%q) succeeded", p)
		}
	}
	if _, err := c.QueryPathFromHashPart(ctx, "9zjm4h9dvnzac253lxdvyjb48ffqzvie"); err == nil {
		t.Error("QueryPathFromHashPart accepted an 'e'")
	}
	// Nothing was sent, and the connection still works.
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
}

func TestStoreDir(t *testing.T) {
	p := "/gnu/store/9zjm4h9dvnzac253lxdvyjb48ffqzvi0-x"
	c := startFake(t, 34, &Options{StoreDir: "/gnu/store"}, func(f *fake) {
		_ = f.expect(wb{}.u64(1).str(p)) && f.send(wb{}.last().u64(1))
	})
	if _, err := c.IsValidPath(ctx, testPath); err == nil {
		t.Error("accepted a path outside the store dir")
	}
	if ok, err := c.IsValidPath(ctx, p); !ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
}

func TestSequentialUseFromGoroutines(t *testing.T) {
	const n = 20
	c := startFake(t, 34, nil, func(f *fake) {
		for range n {
			if !f.expect(wb{}.u64(1).str(testPath)) || !f.send(wb{}.last().u64(1)) {
				return
			}
		}
	})
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := c.IsValidPath(ctx, testPath)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	c := startFake(t, 34, nil, nil)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IsValidPath(ctx, testPath); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

func TestStripANSI(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                         "plain",
		"path '\x1b[35;1mx\x1b[0m' bad": "path 'x' bad",
		"\x1b[31;1merror:\x1b[0m y":     "error: y",
		"trailing \x1b[":                "trailing ",
		"lone \x1b x":                   "lone  x",
	} {
		if got := stripANSI(in); got != want {
			t.Errorf("stripANSI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTrustString(t *testing.T) {
	for tr, want := range map[Trust]string{TrustUnknown: "unknown", Trusted: "trusted", NotTrusted: "not trusted", 7: "Trust(7)"} {
		if got := tr.String(); got != want {
			t.Errorf("%d: %q", int(tr), got)
		}
	}
}
