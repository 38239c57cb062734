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

// FuzzQueryDerivationOutputMapReply feeds arbitrary bytes as the daemon's
// answer to a QueryDerivationOutputMap: the client never panics, a failure
// returns no map, and every path it accepts is a store path.
func FuzzQueryDerivationOutputMapReply(f *testing.F) {
	f.Add([]byte(wb{}.last().u64(2).str("dev").str(caDev).str("out").str(caOut)))
	f.Add([]byte(wb{}.last().u64(2).str("dev").str("").str("out").str("")))
	f.Add([]byte(wb{}.last().u64(0)))
	f.Add([]byte(wb{}.errorMsg("path '" + caDrv + "' is not valid")))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := New(context.Background(), memConn{io.MultiReader(bytes.NewReader(handshakeReply(34)), bytes.NewReader(data))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		m, err := c.QueryDerivationOutputMap(context.Background(), caDrv)
		if err != nil {
			if m != nil {
				t.Fatalf("failed query returned %q", m)
			}
			return
		}
		if m == nil {
			t.Fatal("nil map without an error")
		}
		for name, p := range m {
			if !validOutputName(name) || p != "" && c.checkPath("", p) != nil {
				t.Fatalf("accepted %q: %q", name, p)
			}
		}
	})
}

// FuzzBatchReplies feeds arbitrary bytes as the daemon's answers to a
// pipelined QueryPathInfos and then an AddSignaturesMany: the client never
// panics or hangs, every path gets an answer or the batch's error, and
// what it accepts is well formed.
func FuzzBatchReplies(f *testing.F) {
	reply, _ := infoReply(34, testPath)
	f.Add([]byte(cat(reply, wb{}.last().u64(0), wb{}.errorMsg("boom"), wb{}.last().u64(1), wb{}.last().u64(1))))
	f.Add([]byte(cat(reply, reply, reply, wb{}.errorMsg("you are not privileged to add signatures"), wb{}.last().u64(1))))
	f.Add([]byte(cat(reply, wb{}.errorMsg("path '/x' is not valid"), reply[:40])))
	paths := []string{testPath, testPath2, testPath}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := New(context.Background(), memConn{io.MultiReader(bytes.NewReader(handshakeReply(34)), bytes.NewReader(data))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		replies, err := c.QueryPathInfos(context.Background(), paths)
		if len(replies) != len(paths) {
			t.Fatalf("%d replies", len(replies))
		}
		for i, r := range replies {
			switch {
			case r.Valid:
				if r.Err != nil || r.Info.Path != paths[i] || r.Info.NarHash == "" {
					t.Fatalf("reply %d: %+v", i, r)
				}
				for _, p := range append(slices.Clone(r.Info.References), r.Info.Deriver) {
					if p != "" && c.checkPath("", p) != nil {
						t.Fatalf("accepted reference %q", p)
					}
				}
			case r.Info.Path != "" || r.Info.References != nil:
				t.Fatalf("reply %d: not valid, with %+v", i, r.Info)
			}
			if err != nil && i == len(paths)-1 && r.Err != err {
				t.Fatalf("failed batch, last reply %+v", r)
			}
		}
		errs, err2 := c.AddSignaturesMany(context.Background(), paths[:2], [][]string{{testSig}, {testSig}})
		if len(errs) != 2 || err2 != nil && errs[1] != err2 || err != nil && err2 != err {
			t.Fatalf("AddSignaturesMany = %v, %v after %v", errs, err2, err)
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
