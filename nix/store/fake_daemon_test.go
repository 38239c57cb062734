package store

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// fakeDaemon is a worker-protocol server (protocol 1.34, as Nix 2.8.0)
// holding a few paths, with knobs for the faults a real daemon shows.
type fakeDaemon struct {
	sock  string
	paths map[string]*fakePath

	refuseSigs bool // answer AddSignatures as to an untrusted user
	closeAt    int  // close the connection when this request arrives (1-based; 0: never)
	truncateAt int  // send half a reply to this request, then close
	garbleAt   int  // send an unknown message type in reply to this request
	hangAt     int  // never answer this request

	mu    sync.Mutex
	ops   []uint64 // the requests received, after the handshake
	conns int      // the connections accepted
	done  chan struct{}
}

type fakePath struct {
	narHash  string // base16
	narSize  uint64
	refs     []string
	sigs     []string
	ultimate bool
	deriver  string
}

func newFakeDaemon(t *testing.T, paths map[string]*fakePath) *fakeDaemon {
	t.Helper()
	f := &fakeDaemon{sock: filepath.Join(t.TempDir(), "sock"), paths: paths, done: make(chan struct{})}
	l, err := net.Listen("unix", f.sock)
	if err != nil {
		t.Fatal(err)
	}
	var conns sync.WaitGroup
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns++
			f.mu.Unlock()
			conns.Go(func() { f.serve(c) })
		}
	}()
	t.Cleanup(func() {
		close(f.done)
		l.Close()
		conns.Wait()
	})
	return f
}

type fakeConn struct {
	r *bufio.Reader
	w *bufio.Writer
}

func (c *fakeConn) u64() uint64 {
	var b [8]byte
	if _, err := io.ReadFull(c.r, b[:]); err != nil {
		panic(err)
	}
	return binary.LittleEndian.Uint64(b[:])
}

func (c *fakeConn) str() string {
	n := c.u64()
	b := make([]byte, n+uint64((8-n%8)%8))
	if _, err := io.ReadFull(c.r, b); err != nil {
		panic(err)
	}
	return string(b[:n])
}

func (c *fakeConn) strs() []string {
	n := c.u64()
	var out []string
	for range n {
		out = append(out, c.str())
	}
	return out
}

func (c *fakeConn) putU64(n uint64) { c.w.Write(binary.LittleEndian.AppendUint64(nil, n)) }

func (c *fakeConn) putStr(s string) {
	c.putU64(uint64(len(s)))
	c.w.WriteString(s)
	c.w.Write(make([]byte, (8-len(s)%8)%8))
}

func (c *fakeConn) putStrs(ss []string) {
	c.putU64(uint64(len(ss)))
	for _, s := range ss {
		c.putStr(s)
	}
}

const fakeLast = 0x616c7473

func (f *fakeDaemon) serve(nc net.Conn) {
	defer nc.Close()
	defer func() { recover() }() // a client that went away
	c := &fakeConn{r: bufio.NewReader(nc), w: bufio.NewWriter(nc)}
	if c.u64() != 0x6e697863 {
		return
	}
	c.putU64(0x6478696f)
	c.putU64(0x122)
	c.w.Flush()
	c.u64() // client version
	c.u64() // affinity
	c.u64() // reserveSpace
	c.putStr("2.8.0")
	c.putU64(fakeLast)
	c.w.Flush()
	for {
		op := c.u64()
		if op == 19 { // SetOptions
			for range 12 {
				c.u64()
			}
			for range c.u64() {
				c.str()
				c.str()
			}
			c.putU64(fakeLast)
			c.w.Flush()
			continue
		}
		f.mu.Lock()
		f.ops = append(f.ops, op)
		n := len(f.ops)
		f.mu.Unlock()
		var path string
		var sigs []string
		switch op {
		case 26, 1:
			path = c.str()
		case 37:
			path = c.str()
			sigs = c.strs()
		default:
			return
		}
		switch n {
		case f.closeAt:
			return
		case f.hangAt:
			<-f.done
			return
		case f.garbleAt:
			c.putU64(0xdeadbeef)
			c.w.Flush()
			continue
		}
		var reply fakeConn
		var buf = &sliceWriter{}
		reply.w = bufio.NewWriter(buf)
		f.reply(&reply, op, path, sigs)
		reply.w.Flush()
		if n == f.truncateAt {
			c.w.Write(buf.b[:len(buf.b)/2])
			c.w.Flush()
			return
		}
		c.w.Write(buf.b)
		c.w.Flush()
	}
}

type sliceWriter struct{ b []byte }

func (s *sliceWriter) Write(p []byte) (int, error) { s.b = append(s.b, p...); return len(p), nil }

func (f *fakeDaemon) reply(c *fakeConn, op uint64, path string, sigs []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.paths[path]
	switch op {
	case 1:
		c.putU64(fakeLast)
		c.putU64(map[bool]uint64{true: 1, false: 0}[p != nil])
	case 26:
		c.putU64(fakeLast)
		if p == nil {
			c.putU64(0)
			return
		}
		c.putU64(1)
		c.putStr(p.deriver)
		c.putStr(p.narHash)
		c.putStrs(p.refs)
		c.putU64(1700000000)
		c.putU64(p.narSize)
		c.putU64(map[bool]uint64{true: 1, false: 0}[p.ultimate])
		c.putStrs(p.sigs)
		c.putStr("")
	case 37:
		if f.refuseSigs {
			c.putU64(0x63787470)
			c.putStr("Error")
			c.putU64(0)
			c.putStr("Error")
			c.putStr("you are not privileged to add signatures")
			c.putU64(0)
			c.putU64(0)
			return
		}
		if p != nil {
			p.sigs = append(p.sigs, sigs...)
			slices.Sort(p.sigs)
			p.sigs = slices.Compact(p.sigs)
		}
		c.putU64(fakeLast)
		c.putU64(1)
	}
}
