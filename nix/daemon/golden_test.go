package daemon

import (
	"bufio"
	"context"
	"encoding/hex"
	"net"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// segment is one run of bytes in one direction.
type segment struct {
	fromClient bool
	data       []byte
}

// goldenWire holds the exchanges recorded between Nix 2.8.0's own client
// and daemon.
const goldenWire = "testdata/nix-2.8.0-wire.txt"

// loadWire reads a file of recorded exchanges such as goldenWire, by name.
func loadWire(t testing.TB, file string) map[string][]segment {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ex := map[string][]segment{}
	var name string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			name = line[3:]
		case strings.HasPrefix(line, "> "), strings.HasPrefix(line, "< "):
			b, err := hex.DecodeString(strings.ReplaceAll(line[2:], " ", ""))
			if err != nil {
				t.Fatalf("%s: %s: %v", file, name, err)
			}
			fromClient := line[0] == '>'
			segs := ex[name]
			if n := len(segs); n > 0 && segs[n-1].fromClient == fromClient {
				segs[n-1].data = append(segs[n-1].data, b...)
			} else {
				segs = append(segs, segment{fromClient, b})
			}
			ex[name] = segs
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ex
}

// replay plays the daemon side of segs and checks that the client sends
// exactly the recorded client side.
func replay(t *testing.T, conn net.Conn, segs []segment) {
	f := &fake{t: t, conn: conn}
	for _, s := range segs {
		if s.fromClient {
			if !f.expect(s.data) {
				return
			}
		} else if !f.send(s.data) {
			return
		}
	}
}

// TestGoldenNix280 replays the exchanges recorded between Nix 2.8.0's client
// and daemon: the client must send the same bytes as Nix's and decode the
// daemon's replies.
func TestGoldenNix280(t *testing.T) {
	ex := loadWire(t, goldenWire)
	hs := ex["handshake"]
	if len(hs) != 6 {
		t.Fatalf("handshake has %d segments", len(hs))
	}
	// SetOptions carries the recorder's CPU count (2) as buildCores.
	setOpts := hs[4].data
	if got := setOpts[8*11]; got != 2 {
		t.Fatalf("recorded buildCores = %d", got)
	}
	setOpts[8*11] = byte(runtime.NumCPU())
	// Nix 2.8.0 offers its own version, 1.34; this client offers 1.38.
	if hs[2].data[0] != 34 {
		t.Fatalf("recorded client version = %#x", hs[2].data[:2])
	}
	hs[2].data[0] = 38

	info := PathInfo{
		Path: testPath, Deriver: testDrv, NarHash: testHash,
		RegistrationTime: 1795924534, NarSize: 120, Ultimate: true,
	}
	infoSigned := info
	infoSigned.Sigs = []string{testSig}
	caInfo := PathInfo{
		Path: testPath2, NarHash: "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13",
		RegistrationTime: 1795924564, NarSize: 120,
		CA: "fixed:r:sha256:04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw",
	}
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(c *Client) (any, error)
		want any
	}{
		{"query-path-info", func(c *Client) (any, error) { i, _, err := c.QueryPathInfo(ctx, testPath); return i, err }, info},
		{"query-path-info-sigs", func(c *Client) (any, error) { i, _, err := c.QueryPathInfo(ctx, testPath); return i, err }, infoSigned},
		{"query-path-info-ca", func(c *Client) (any, error) { i, _, err := c.QueryPathInfo(ctx, testPath2); return i, err }, caInfo},
		{"query-path-info-invalid", func(c *Client) (any, error) { _, ok, err := c.QueryPathInfo(ctx, badPath); return ok, err }, false},
		{"add-signatures", func(c *Client) (any, error) { return nil, c.AddSignatures(ctx, testPath, []string{testSig}) }, nil},
		{"add-signatures-untrusted", func(c *Client) (any, error) {
			err := c.AddSignatures(ctx, testPath, []string{"gbck-1:+ZnKmeiltrmFUIm6YDAw1K/z8MKk8bav3t1t3tLwFMOv7V6A4MN6cbhBIkE9r3sb9JQ7tvgehTwwPMjuBimsBw=="})
			if re, ok := isRemote(err); ok {
				return re.Message, nil
			}
			return nil, err
		}, "you are not privileged to add signatures"},
		{"query-valid-paths", func(c *Client) (any, error) { return c.QueryValidPaths(ctx, []string{testPath}, false) }, []string{testPath}},
		{"is-valid-path", func(c *Client) (any, error) { return c.IsValidPath(ctx, testPath) }, true},
		{"is-valid-path-invalid", func(c *Client) (any, error) { return c.IsValidPath(ctx, badPath) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, ok := ex[tt.name]
			if !ok {
				t.Fatalf("no exchange %q in testdata", tt.name)
			}
			// A socket pair, whose buffers take the client's pipelined
			// writes (its version with the magic, SetOptions with the end
			// of the handshake) while replay reads Nix's segments one by
			// one: the bytes, not the writes, must be Nix's.
			cli, srv := socketPair(t)
			done := make(chan struct{})
			go func() {
				defer close(done)
				defer srv.Close()
				replay(t, srv, append(append([]segment(nil), hs...), segs...))
			}()
			c, err := New(ctx, cli, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { c.Close(); <-done }()
			if c.ProtocolVersion() != 0x122 || c.DaemonVersion() != "2.8.0" || c.Trust() != TrustUnknown {
				t.Errorf("handshake: version %#x %q trust %v", c.ProtocolVersion(), c.DaemonVersion(), c.Trust())
			}
			got, err := tt.run(c)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %#v\nwant %#v", got, tt.want)
			}
		})
	}
}
