package daemon

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"testing"
)

// benchServer answers AddSignatures and QueryPathInfo requests on conn
// until it closes. It parses each request just enough to find its end.
func benchServer(conn io.ReadWriter) {
	r := bufio.NewReader(conn)
	u64 := func() uint64 {
		var b [8]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			panic(err)
		}
		return binary.LittleEndian.Uint64(b[:])
	}
	str := func() {
		n := u64()
		r.Discard(int(n) + pad(int(n)))
	}
	infoReply := wb{}.last().u64(1).str(testDrv).str(testHash).strs(testPath2).u64(1795924534).u64(120).
		u64(1).strs(testSig).str("")
	defer func() { recover() }() // the client went away
	for {
		switch op := u64(); op {
		case opAddSignatures:
			str()
			for n := u64(); n > 0; n-- {
				str()
			}
			conn.Write(wb{}.last().u64(1))
		case opQueryPathInfo:
			str()
			conn.Write(infoReply)
		default:
			panic(fmt.Sprintf("op %d", op))
		}
	}
}

func benchClient(b *testing.B) *Client {
	cli, srv := socketPair(b)
	go func() {
		f := &fake{t: b, conn: srv, minor: 34}
		if f.handshake(nil) {
			benchServer(srv)
		}
	}()
	c, err := New(ctx, cli, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkAddSignatures measures one AddSignatures round trip on a
// connection that serves a whole run (a Unix socket to a trivial server).
func BenchmarkAddSignatures(b *testing.B) {
	c := benchClient(b)
	sigs := []string{testSig}
	b.ReportAllocs()
	for b.Loop() {
		if err := c.AddSignatures(ctx, testPath, sigs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQueryPathInfo(b *testing.B) {
	c := benchClient(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := c.QueryPathInfo(ctx, testPath); err != nil {
			b.Fatal(err)
		}
	}
}

// The same 1,000 queries or signatures one round trip at a time, and
// pipelined; b.N counts batches of 1,000.
const benchBatch = 1000

func BenchmarkQueryPathInfo1000(b *testing.B) {
	b.Run("one-by-one", func(b *testing.B) {
		c := benchClient(b)
		for b.Loop() {
			for range benchBatch {
				if _, _, err := c.QueryPathInfo(ctx, testPath); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("pipelined", func(b *testing.B) {
		c := benchClient(b)
		paths := make([]string, benchBatch)
		for i := range paths {
			paths[i] = testPath
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.QueryPathInfos(ctx, paths); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAddSignatures1000(b *testing.B) {
	b.Run("one-by-one", func(b *testing.B) {
		c := benchClient(b)
		sigs := []string{testSig}
		for b.Loop() {
			for range benchBatch {
				if err := c.AddSignatures(ctx, testPath, sigs); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("pipelined", func(b *testing.B) {
		c := benchClient(b)
		paths, sigs := sigBatch(benchBatch)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.AddSignaturesMany(ctx, paths, sigs); err != nil {
				b.Fatal(err)
			}
		}
	})
}
