package daemon

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FinishQueryPathInfos sends the queries with the end of the handshake: the
// fake reads them in the same breath as SetOptions, before it has answered
// anything after the daemon's version.
func TestFinishQueryPathInfos(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "socket")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	reply, info := infoReply(34, testPath)
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		f := &fake{t: t, conn: conn, minor: 34}
		if !f.expect(wb{}.u64(0x6e697863).u64(ClientVersion)) || !f.send(wb{}.u64(0x6478696f).u64(1<<8|34)) {
			return
		}
		want := append(wb{}.u64(0).u64(0), setOptionsRequest()...)
		want = want.u64(opQueryPathInfo).str(testPath).u64(opQueryPathInfo).str(badPath)
		if !f.expect(want) {
			return
		}
		f.send(cat(wb{}.str("2.8.0").last(), wb{}.last(), reply, wb{}.last().u64(0)))
		if f.expect(wb{}.u64(opIsValidPath).str(testPath)) {
			f.send(wb{}.last().u64(1))
		}
	}()
	d, err := StartDial(ctx, sock, &Options{HandshakeTimeout: 5 * time.Second, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c, replies, err := d.FinishQueryPathInfos(ctx, []string{testPath, badPath})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(replies) != 2 || !replies[0].Valid || replies[0].Info.NarHash != info.NarHash || replies[1].Valid || replies[1].Err != nil {
		t.Errorf("replies %+v", replies)
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Errorf("IsValidPath after = %v, %v", ok, err)
	}
	checkNoWriter(t)
}

// A path outside the store is refused before it is sent, as by
// QueryPathInfos, and the handshake still finishes.
func TestFinishQueryPathInfosRefused(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "socket")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		f := &fake{t: t, conn: conn, minor: 34}
		f.handshake(nil)
	}()
	d, err := StartDial(ctx, sock, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, replies, err := d.FinishQueryPathInfos(ctx, []string{testPath, "/tmp/x"})
	if c == nil || replies != nil || err == nil || !strings.Contains(err.Error(), `"/tmp/x" is not a path in the store`) {
		t.Fatalf("FinishQueryPathInfos = %v, %v, %v", c, replies, err)
	}
	c.Close()
}

// Against the real daemon: the queries ride with the handshake and are
// answered as QueryPathInfos answers them.
func TestInteropFinishQueryPathInfos(t *testing.T) {
	requireNix(t)
	socket, _ := startSocketDaemon(t, "")
	top, dep := buildPaths(t)
	missing := "/nix/store/" + strings.Repeat("0", 32) + "-nixsign-missing"
	d, err := StartDial(ctx, socket, nil)
	if err != nil {
		t.Fatal(err)
	}
	c, replies, err := d.FinishQueryPathInfos(ctx, []string{top, missing, dep})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkVersion(t, c)
	if c.pending != 0 {
		t.Errorf("the answer to SetOptions, sent with the handshake, is still pending after the queries")
	}
	want, err := c.QueryPathInfos(ctx, []string{top, missing, dep})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		g, w := replies[i], want[i]
		if g.Valid != w.Valid || g.Err != nil || g.Info.NarHash != w.Info.NarHash || strings.Join(g.Info.References, " ") != strings.Join(w.Info.References, " ") {
			t.Errorf("reply %d: %+v, want %+v", i, g, w)
		}
	}
	if !replies[0].Valid || replies[1].Valid || !replies[2].Valid {
		t.Errorf("validity: %v %v %v", replies[0].Valid, replies[1].Valid, replies[2].Valid)
	}
}
