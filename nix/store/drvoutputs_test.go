package store

import (
	"bufio"
	"context"
	"errors"
	"maps"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/daemon"
)

const (
	caDrv = "/nix/store/vj190crfdpr3w7l356zh97y01j2r8lz6-nixsign-ca-rec4367.drv"
	caOut = "/nix/store/4cdfij6igxpqlk08z9rbhgg2ywlg2i5y-nixsign-ca-rec4367"
	caDev = "/nix/store/f1mnbf50v3g6fv3mv9ivbr6by3d23vx6-nixsign-ca-rec4367-dev"
)

// outputMapStore returns a daemon store whose daemon speaks protocol
// 1.minor and answers each QueryDerivationOutputMap with answer, which
// writes everything after the request (STDERR_LAST and the map, or an
// error).
func outputMapStore(t *testing.T, minor uint64, answer func(c *fakeConn, drv string)) Store {
	t.Helper()
	// A socket, whose buffer takes the client's pipelined writes.
	l, err := net.Listen("unix", filepath.Join(t.TempDir(), "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	cli, err := net.Dial("unix", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer srv.Close()
		defer func() { recover() }() // the client went away
		c := &fakeConn{r: bufio.NewReader(srv), w: bufio.NewWriter(srv)}
		c.u64() // magic
		c.u64() // client version
		c.putU64(0x6478696f)
		c.putU64(1<<8 | minor)
		c.w.Flush()
		c.u64() // affinity
		c.u64() // reserveSpace
		if minor >= 33 {
			c.putStr("2.8.0")
		}
		c.putU64(fakeLast)
		c.w.Flush()
		for {
			switch c.u64() {
			case 19: // SetOptions
				for range 12 {
					c.u64()
				}
				for range c.u64() {
					c.str()
					c.str()
				}
				c.putU64(fakeLast)
			case 41:
				answer(c, c.str())
			default:
				return
			}
			c.w.Flush()
		}
	}()
	t.Cleanup(func() { cli.Close(); <-done })
	dc, err := daemon.New(context.Background(), cli, &daemon.Options{StoreDir: "/nix/store"})
	if err != nil {
		t.Fatal(err)
	}
	return newDaemonStore("daemon", dc, "/nix/store")
}

func putOutputMap(c *fakeConn, kv ...string) {
	c.putU64(fakeLast)
	c.putU64(uint64(len(kv) / 2))
	for _, s := range kv {
		c.putStr(s)
	}
}

func putError(c *fakeConn, msg string) {
	c.putU64(0x63787470)
	c.putStr("Error")
	c.putU64(0)
	c.putStr("Error")
	c.putStr(msg)
	c.putU64(0)
	c.putU64(0)
}

func TestDerivationOutputs(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct {
		name   string
		answer func(c *fakeConn, drv string)
		want   map[string]string
	}{
		{"built, with ca-derivations", func(c *fakeConn, _ string) { putOutputMap(c, "dev", caDev, "out", caOut) },
			map[string]string{"dev": caDev, "out": caOut}},
		{"without ca-derivations", func(c *fakeConn, _ string) { putOutputMap(c) }, map[string]string{}},
		{"not built", func(c *fakeConn, _ string) { putOutputMap(c, "dev", "", "out", "") },
			map[string]string{"dev": "", "out": ""}},
	} {
		s := outputMapStore(t, 34, tt.answer)
		if _, ok := s.(DerivationOutputser); !ok {
			t.Fatal("the daemon store is not a DerivationOutputser")
		}
		got, err := DerivationOutputs(ctx, s, caDrv)
		if err != nil || got == nil || !maps.Equal(got, tt.want) {
			t.Errorf("%s: got %q, %v, want %q", tt.name, got, err, tt.want)
		}
	}
}

func TestDerivationOutputsErrors(t *testing.T) {
	ctx := context.Background()

	// A .drv the daemon does not hold.
	s := outputMapStore(t, 34, func(c *fakeConn, drv string) { putError(c, "path '"+drv+"' is not valid") })
	_, err := DerivationOutputs(ctx, s, caDrv)
	var nv *NotValidError
	if !errors.As(err, &nv) || nv.Path != caDrv || err.Error() != "path '"+caDrv+"' is not valid in the daemon store" {
		t.Errorf("not valid: %v", err)
	}

	// As Nix 2.8.0's daemon sends it, the path highlighted.
	s = outputMapStore(t, 34, func(c *fakeConn, drv string) { putError(c, "path '\x1b[35;1m"+drv+"\x1b[0m' is not valid") })
	if _, err := DerivationOutputs(ctx, s, caDrv); !errors.As(err, &nv) || nv.Path != caDrv {
		t.Errorf("not valid, highlighted: %v", err)
	}

	// With ca-derivations the daemon reads the input derivations too: one
	// of those that is not valid is not the .drv asked about.
	const inputDrv = "/nix/store/509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv"
	for _, msg := range []string{
		"path '" + inputDrv + "' is not valid",
		"path '\x1b[35;1m" + inputDrv + "\x1b[0m' is not valid",
		"path '" + caDrv + "' is not valid, and more",
	} {
		s = outputMapStore(t, 34, func(c *fakeConn, _ string) { putError(c, msg) })
		_, err = DerivationOutputs(ctx, s, caDrv)
		var re *daemon.RemoteError
		if errors.As(err, &nv) || !errors.As(err, &re) || re.Message != msg {
			t.Errorf("%q: %v", msg, err)
		}
	}

	// Another refusal stays the daemon's.
	s = outputMapStore(t, 34, func(c *fakeConn, _ string) { putError(c, "boom") })
	_, err = DerivationOutputs(ctx, s, caDrv)
	var re *daemon.RemoteError
	if !errors.As(err, &re) || re.Message != "boom" {
		t.Errorf("remote error: %v", err)
	}

	// A reply that breaks the protocol: the store is unavailable.
	s = outputMapStore(t, 34, func(c *fakeConn, _ string) { putOutputMap(c, "out", "/tmp/evil") })
	_, err = DerivationOutputs(ctx, s, caDrv)
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Store != "daemon" || !strings.Contains(err.Error(), `"/tmp/evil", which is not a store path`) {
		t.Errorf("garbage: %v", err)
	}

	// A daemon before Nix 2.4 cannot answer; nothing is sent.
	s = outputMapStore(t, 21, func(c *fakeConn, _ string) { panic("asked") })
	_, err = DerivationOutputs(ctx, s, caDrv)
	if !errors.Is(err, errors.ErrUnsupported) || errors.As(err, &ue) {
		t.Errorf("protocol 1.21: %v", err)
	}

	// Neither the files store nor a binary cache can answer.
	files := NewFiles("/nix/store", t.TempDir())
	if _, ok := files.(DerivationOutputser); ok {
		t.Error("the files store claims to be a DerivationOutputser")
	}
	_, err = DerivationOutputs(ctx, files, caDrv)
	if !errors.Is(err, errors.ErrUnsupported) || !strings.HasPrefix(err.Error(), "the files (") ||
		!strings.HasSuffix(err.Error(), ") store cannot tell a derivation's outputs: unsupported operation") {
		t.Errorf("files: %v", err)
	}
	c, err := cache.Open("file://"+filepath.Join(t.TempDir(), "cache"), "/nix/store", true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DerivationOutputs(ctx, c, caDrv); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("file:// cache: %v", err)
	}
}

// Real Nix 2.8.0's daemon (nix-daemon --stdio, as store "local") refuses a
// .drv it does not hold with the error DerivationOutputs turns into a
// *NotValidError.
func TestDerivationOutputsRealNix(t *testing.T) {
	requireNix(t)
	t.Setenv("NIX_CONFIG", nixConfig)
	ctx := context.Background()
	s, err := Open(ctx, "local", nil)
	if err != nil {
		t.Skipf("no local store: %v", err)
	}
	defer s.Close()
	const drv = "/nix/store/00000000000000000000000000000000-nixsign-absent.drv"
	_, err = DerivationOutputs(ctx, s, drv)
	var nv *NotValidError
	if !errors.As(err, &nv) || nv.Path != drv {
		t.Errorf("%v, want a *NotValidError", err)
	}
}
