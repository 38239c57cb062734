package daemon

import (
	"errors"
	"maps"
	"net"
	"runtime"
	"strings"
	"testing"
)

// The derivations and outputs of testdata/nix-2.8.0-drvoutputs.txt.
const (
	caDrv        = "/nix/store/vj190crfdpr3w7l356zh97y01j2r8lz6-nixsign-ca-rec4367.drv"
	caOut        = "/nix/store/4cdfij6igxpqlk08z9rbhgg2ywlg2i5y-nixsign-ca-rec4367"
	caDev        = "/nix/store/f1mnbf50v3g6fv3mv9ivbr6by3d23vx6-nixsign-ca-rec4367-dev"
	caUnbuiltDrv = "/nix/store/baa5cgpzmfjh6h8m7vqqk0kygpjyk405-nixsign-ca-unbuilt29799.drv"
)

func init() {
	// TestTruncatedReplies cuts this reply at every byte, and the fuzz
	// targets start from it.
	replies = append(replies, struct {
		name  string
		reply wb
		op    func(c *Client) error
	}{"QueryDerivationOutputMap", wb{}.u64(stderrNext).str("log\n").last().u64(2).str("dev").str("").str("out").str(caOut),
		func(c *Client) error {
			m, err := c.QueryDerivationOutputMap(ctx, caDrv)
			if err != nil && m != nil {
				return errors.New("a failed QueryDerivationOutputMap returned a map")
			}
			return err
		}})
}

// nixHandshake is the recorded handshake of Nix 2.8.0, with the CPU count
// and client version this client sends (see TestGoldenNix280).
func nixHandshake(t testing.TB) []segment {
	hs := loadWire(t, goldenWire)["handshake"]
	hs[4].data[8*11] = byte(runtime.NumCPU())
	hs[2].data[0] = 38
	return hs
}

// The client sends what Nix 2.8.0's sends, and reads what its daemon
// answers, with and without ca-derivations in the daemon's configuration.
func TestGoldenDerivationOutputMap(t *testing.T) {
	ex := loadWire(t, "testdata/nix-2.8.0-drvoutputs.txt")
	for _, tt := range []struct {
		name string
		drv  string
		want map[string]string
	}{
		{"built", caDrv, map[string]string{"dev": caDev, "out": caOut}},
		{"no-ca-derivations", caDrv, map[string]string{}},
		{"not-built", caUnbuiltDrv, map[string]string{"dev": "", "out": ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			segs, ok := ex[tt.name]
			if !ok {
				t.Fatalf("no exchange %q in testdata", tt.name)
			}
			cli, srv := socketPair(t)
			done := make(chan struct{})
			go func() {
				defer close(done)
				defer srv.Close()
				replay(t, srv, append(nixHandshake(t), segs...))
			}()
			c, err := New(ctx, cli, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { c.Close(); <-done }()
			got, err := c.QueryDerivationOutputMap(ctx, tt.drv)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil || !maps.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestQueryDerivationOutputMap(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply wb
		want  map[string]string
	}{
		{"two outputs", wb{}.last().u64(2).str("dev").str(caDev).str("out").str(caOut),
			map[string]string{"dev": caDev, "out": caOut}},
		{"empty", wb{}.last().u64(0), map[string]string{}},
		{"unknown", wb{}.last().u64(1).str("out").str(""), map[string]string{"out": ""}},
		{"logs first", wb{}.u64(stderrNext).str("querying\n").last().u64(1).str("out").str(caOut),
			map[string]string{"out": caOut}},
	} {
		for _, minor := range []int{22, 34, 38} {
			c := startFake(t, minor, nil, func(f *fake) {
				_ = f.expect(wb{}.u64(41).str(caDrv)) && f.send(tt.reply) &&
					f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1))
			})
			got, err := c.QueryDerivationOutputMap(ctx, caDrv)
			if err != nil || got == nil || !maps.Equal(got, tt.want) {
				t.Errorf("%s, 1.%d: got %q, %v, want %q", tt.name, minor, got, err, tt.want)
			}
			// The connection is still in step.
			if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
				t.Errorf("%s, 1.%d: then IsValidPath = %v, %v", tt.name, minor, ok, err)
			}
			c.Close()
		}
	}
}

// A daemon's error is a *RemoteError, and the connection goes on.
func TestQueryDerivationOutputMapRemoteError(t *testing.T) {
	msg := "path '" + caDrv + "' is not valid"
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(41).str(caDrv)) && f.send(wb{}.errorMsg(msg)) &&
			f.expect(wb{}.u64(41).str(caDrv)) && f.send(wb{}.last().u64(0))
	})
	got, err := c.QueryDerivationOutputMap(ctx, caDrv)
	if re, ok := isRemote(err); !ok || re.Message != msg || got != nil {
		t.Fatalf("got %q, %v", got, err)
	}
	if got, err := c.QueryDerivationOutputMap(ctx, caDrv); err != nil || len(got) != 0 {
		t.Fatalf("after the error: %q, %v", got, err)
	}
}

// What the daemon would drop the connection for, or what it cannot do,
// is refused before anything is sent.
func TestQueryDerivationOutputMapRefused(t *testing.T) {
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1))
	})
	for _, p := range []string{"", "vj190crfdpr3w7l356zh97y01j2r8lz6-nixsign-ca-rec4367.drv", "/tmp/x.drv", "/nix/store/../etc/passwd"} {
		if _, err := c.QueryDerivationOutputMap(ctx, p); err == nil || !strings.Contains(err.Error(), "is not a path in the store") {
			t.Errorf("%q: %v", p, err)
		}
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("IsValidPath = %v, %v", ok, err)
	}
	c.Close()

	// Protocol 1.21 (Nix 2.2-2.3) has no such operation.
	old := startFake(t, 21, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1))
	})
	_, err := old.QueryDerivationOutputMap(ctx, caDrv)
	if !errors.Is(err, errors.ErrUnsupported) || !strings.Contains(err.Error(), "needs protocol 1.22 (Nix 2.4), the daemon speaks 1.21") {
		t.Fatalf("1.21: %v", err)
	}
	if ok, err := old.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Fatalf("1.21: then IsValidPath = %v, %v", ok, err)
	}
}

// A reply that breaks the protocol fails the operation and the
// connection, and returns no map.
func TestQueryDerivationOutputMapGarbage(t *testing.T) {
	for _, tt := range []struct {
		name  string
		reply wb
		want  string
	}{
		{"relative path", wb{}.last().u64(1).str("out").str("../x"), `reply gives output "out" the path "../x", which is not a store path`},
		{"other store", wb{}.last().u64(1).str("out").str("/gnu/store/4cdfij6igxpqlk08z9rbhgg2ywlg2i5y-x"), "which is not a store path"},
		{"bad hash", wb{}.last().u64(1).str("out").str("/nix/store/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee-x"), "which is not a store path"},
		{"store dir", wb{}.last().u64(1).str("out").str("/nix/store"), "which is not a store path"},
		{"empty name", wb{}.last().u64(1).str("").str(caOut), `reply has the output name ""`},
		{"slash in name", wb{}.last().u64(1).str("a/b").str(caOut), `reply has the output name "a/b"`},
		{"twice", wb{}.last().u64(2).str("out").str(caOut).str("out").str(""), `reply has the output "out" twice`},
		{"huge map", wb{}.last().u64(1 << 62), "map size 4611686018427387904 exceeds the limit"},
		{"huge name", wb{}.last().u64(1).u64(1 << 40), "string length 1099511627776 exceeds"},
		{"padding", append(wb{}.last().u64(1).u64(3), "out\x00\x00\x00\x00\x01"...), "non-zero padding"},
	} {
		c, err := rawServe(t, append(handshakeReply(34), tt.reply...), nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.QueryDerivationOutputMap(ctx, caDrv)
		if err == nil || !strings.Contains(err.Error(), tt.want) || got != nil {
			t.Errorf("%s: got %q, %v, want %q", tt.name, got, err, tt.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), "nix-daemon QueryDerivationOutputMap: ") {
			t.Errorf("%s: %v", tt.name, err)
		}
		if _, err2 := c.IsValidPath(ctx, testPath); err2 != err {
			t.Errorf("%s: after a protocol error: %v", tt.name, err2)
		}
	}
}

// A daemon that closes the connection mid-reply.
func TestQueryDerivationOutputMapClosed(t *testing.T) {
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(41).str(caDrv)) && f.send(wb{}.last().u64(2).str("dev"))
		f.conn.(net.Conn).Close()
	})
	_, err := c.QueryDerivationOutputMap(ctx, caDrv)
	if err == nil || !strings.Contains(err.Error(), "nix-daemon QueryDerivationOutputMap: connection closed by the daemon") {
		t.Fatalf("got %v", err)
	}
}

func TestValidOutputName(t *testing.T) {
	for name, want := range map[string]bool{
		"out": true, "dev": true, "lib32": true, "a.b-c_d+e?f=g": true, strings.Repeat("x", 211): true,
		"": false, "a/b": false, "a b": false, "é": false, strings.Repeat("x", 212): false, "a\x00": false,
	} {
		if got := validOutputName(name); got != want {
			t.Errorf("validOutputName(%q) = %v", name, got)
		}
	}
}
