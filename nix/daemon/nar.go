package daemon

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"

	"github.com/nixsign/nixsign/nix/nar"
)

// opNarFromPath asks for a path's NAR (worker-protocol.hh of Nix 2.8.0
// and later).
const opNarFromPath = 38

// NarFromPath writes the NAR serialisation of p, as the daemon dumps it
// from its store, to w, and returns its size in bytes. This is how a
// client reads the contents of a store on another machine (ssh-ng).
//
//	request: u64(38) str(path)
//	reply:   STDERR_LAST, then the NAR itself
//
// The NAR is not framed: it is not sent as a string, and nothing follows
// it (2.8.0 daemon.cc: startWork, stopWork, dumpPath; observed on 2.8.0,
// byte for byte the output of `nix-store --dump`). Its end is where the
// archive's root node closes, so the client parses it: a small scanner of
// the NAR's strings delimits it in the stream, and nix/nar's strict Reader
// checks it as it goes. A malformed NAR, or bytes the scanner and the
// Reader disagree on, fail with an error that wraps a *nar.FormatError;
// the stream is then out of step and the connection is closed, as for any
// protocol error.
//
// Since the daemon sends STDERR_LAST before it starts the dump, it reports a
// failure it meets afterwards as a STDERR_ERROR in the middle of the NAR,
// and then closes the connection. For a path that is not valid, Nix 2.8.0
// sends the NAR's magic and then the error "getting status of '…': No
// such file or directory" (observed). Where the error comes in place of one of
// the NAR's strings, the client recognises it, since STDERR_ERROR is too
// long a length for any string other than a file's contents.
// NarFromPath returns that message in an error that is not a *RemoteError,
// since the connection is gone. Check that p is valid first (IsValidPath,
// QueryPathInfo): then the connection survives.
//
// The time limit bounds each wait for the daemon's data, not the whole
// transfer: it restarts whenever the client has used up the data received,
// so that a large NAR arriving steadily is not cut off. If w fails, the
// rest of the NAR is read and dropped, which keeps the connection usable,
// and w's error is returned.
func (c *Client) NarFromPath(ctx context.Context, p string, w io.Writer) (int64, error) {
	if err := c.checkPath("NarFromPath", p); err != nil {
		return 0, err
	}
	var s *narStream
	err := c.do(ctx, "NarFromPath", c.opts.Timeout, func() error {
		c.enc.u64(opNarFromPath)
		c.enc.str(p)
		if err := c.request(); err != nil {
			return err
		}
		s = &narStream{src: c.dec.r, w: w, extend: c.limit.extend}
		return c.readNAR(s)
	})
	if err != nil {
		return 0, err
	}
	return s.n, s.werr
}

// readNAR reads the NAR that follows STDERR_LAST through s, or the error
// that the daemon sends in its place.
func (c *Client) readNAR(s *narStream) error {
	nr := nar.NewReader(s)
	for {
		_, err := nr.Next()
		if s.scan.interrupted {
			// The scanner met STDERR_ERROR where a NAR string's length
			// was due (nr, which reads ahead, may not have failed yet).
			re := c.readError()
			if c.dec.err != nil {
				return c.dec.err
			}
			return &lostError{re}
		}
		if err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// lostError is a daemon's error sent after STDERR_LAST, after which the
// daemon closes the connection. It is not a *RemoteError, so that the
// client closes the connection too.
type lostError struct{ re *RemoteError }

func (e *lostError) Error() string { return stripANSI(e.re.Message) }

// narStream reads one NAR from src and stops at its end: its Read returns
// io.EOF once the NAR's last byte has been read, without reading further,
// so that the bytes after it stay for the next reply. Everything it reads
// is also written to w.
type narStream struct {
	src    *bufio.Reader
	w      io.Writer
	werr   error // w's first error; then the rest is dropped
	n      int64 // bytes read
	extend func()
	scan   narScanner
}

func (s *narStream) Read(p []byte) (int, error) {
	if s.scan.done {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if s.src.Buffered() == 0 {
		// About to wait for the daemon: restart the time limit, which
		// then bounds this wait only.
		s.extend()
		if _, err := s.src.Peek(1); err != nil {
			return 0, eofIsUnexpected(err)
		}
	}
	b, _ := s.src.Peek(min(len(p), s.src.Buffered()))
	k := s.scan.scan(b)
	copy(p, b[:k])
	s.src.Discard(k)
	s.n += int64(k)
	if s.werr == nil {
		if _, err := s.w.Write(p[:k]); err != nil {
			s.werr = err
		}
	}
	return k, nil
}

// narScanner finds the end of a NAR in a stream of bytes without checking
// it (nar.Reader does that). Every item of a NAR is a string: a u64 length,
// the bytes and zero padding to a multiple of 8. After the magic, the
// strings are tags, except those that follow the tags type, contents,
// target, name and executable, which are values (a file may be named ")").
// The tags "(" and ")" nest; the NAR ends with the ")" that closes the
// root node. A daemon's STDERR_ERROR in place of a string ends it too.
type narScanner struct {
	lenBuf  [8]byte
	lenN    int    // bytes of the length read
	inBody  bool   // reading a string's bytes and padding
	remain  uint64 // bytes of the string and its padding still to read
	size    uint64 // the string's length
	tok     [maxTag]byte
	tokN    int
	started bool // the magic has been read
	value   bool // the next string is a value
	content bool // the next string is a file's contents
	depth   int
	done    bool
	// interrupted: the length just read is STDERR_ERROR, where a string
	// other than a file's contents was due: the daemon's error follows.
	interrupted bool
}

// maxTag is the length of the longest tag that matters ("executable").
const maxTag = 10

// scan consumes bytes of b up to the end of the NAR and returns how many
// it consumed: all of b, or up to and including the NAR's last byte.
func (s *narScanner) scan(b []byte) int {
	i := 0
	for i < len(b) && !s.done {
		if !s.inBody {
			k := copy(s.lenBuf[s.lenN:], b[i:])
			s.lenN += k
			i += k
			if s.lenN < 8 {
				break
			}
			s.lenN = 0
			s.size = binary.LittleEndian.Uint64(s.lenBuf[:])
			if s.size == stderrError && !s.content {
				s.interrupted, s.done = true, true
				break
			}
			s.remain = s.size + uint64(pad(int(s.size%8)))
			if s.size > 1<<62 {
				s.remain = 1<<64 - 1 // nar.Reader refuses it before it gets far
			}
			s.tokN = 0
			s.inBody = true
			if s.remain == 0 {
				s.endString()
			}
			continue
		}
		k := uint64(len(b) - i)
		if k > s.remain {
			k = s.remain
		}
		// The string's own bytes (not the padding), if it can be a tag.
		if s.size <= maxTag {
			if read := s.size + uint64(pad(int(s.size%8))) - s.remain; read < s.size {
				s.tokN += copy(s.tok[s.tokN:s.size], b[i:i+int(min(k, s.size-read))])
			}
		}
		s.remain -= k
		i += int(k)
		if s.remain == 0 {
			s.endString()
		}
	}
	return i
}

// endString acts on a string that has been read whole.
func (s *narScanner) endString() {
	s.inBody = false
	switch {
	case !s.started:
		s.started = true // the magic
		return
	case s.value:
		s.value, s.content = false, false
		return
	case s.size > maxTag:
		return
	}
	switch string(s.tok[:s.tokN]) {
	case "(":
		s.depth++
	case ")":
		s.depth--
		if s.depth <= 0 {
			s.done = true
		}
	case "contents":
		s.value, s.content = true, true
	case "type", "target", "name", "executable":
		s.value = true
	}
}
