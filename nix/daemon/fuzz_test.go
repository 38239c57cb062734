package daemon

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"slices"
	"testing"
)

// memConn is a connection whose daemon side is fixed bytes: reads end at
// io.EOF, so nothing can hang.
type memConn struct {
	io.Reader
}

func (memConn) Write(b []byte) (int, error) { return len(b), nil }
func (memConn) Close() error                { return nil }

// FuzzQueryPathInfoReply feeds arbitrary bytes as the daemon's answer to a
// QueryPathInfo: the client never panics, and a failure returns zero values.
func FuzzQueryPathInfoReply(f *testing.F) {
	for _, r := range replies {
		f.Add([]byte(r.reply))
	}
	f.Add([]byte(wb{}.errorMsg("path '/x' is not valid")))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := New(context.Background(), memConn{io.MultiReader(bytes.NewReader(handshakeReply(34)), bytes.NewReader(data))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		info, ok, err := c.QueryPathInfo(context.Background(), testPath)
		if err != nil || !ok {
			if ok || info.Path != "" || info.References != nil {
				t.Fatalf("failed query returned %v %+v", ok, info)
			}
			return
		}
		if info.Path != testPath || info.NarHash == "" {
			t.Fatalf("bad info %+v", info)
		}
		for _, r := range append(slices.Clone(info.References), info.Deriver) {
			if r != "" && c.checkPath("", r) != nil {
				t.Fatalf("accepted reference %q", r)
			}
		}
	})
}

// FuzzHandshake feeds arbitrary bytes as the daemon's side of the handshake.
func FuzzHandshake(f *testing.F) {
	for _, minor := range []int{21, 26, 34, 35, 38} {
		f.Add([]byte(handshakeReply(minor)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := New(context.Background(), memConn{bytes.NewReader(data)}, nil)
		if err != nil {
			if c != nil {
				t.Fatal("failed New returned a client")
			}
			return
		}
		if v := c.ProtocolVersion(); v < MinDaemonVersion || v > ClientVersion {
			t.Fatalf("version %#x", v)
		}
		c.Close()
	})
}

// FuzzStrings round-trips string lists through the encoder and decoder.
func FuzzStrings(f *testing.F) {
	f.Add("", "a")
	f.Add("1234567", "12345678")
	f.Fuzz(func(t *testing.T, a, b string) {
		var e encoder
		e.strs([]string{a, b})
		if len(e.buf)%8 != 0 {
			t.Fatalf("%d bytes", len(e.buf))
		}
		d := decoder{r: bufio.NewReader(bytes.NewReader(e.buf))}
		got := d.strs()
		if d.err != nil || !slices.Equal(got, []string{a, b}) {
			t.Fatalf("got %q, %v", got, d.err)
		}
		if _, err := d.r.ReadByte(); err != io.EOF {
			t.Fatal("trailing bytes")
		}
	})
}
