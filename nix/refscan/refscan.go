// Package refscan finds references to other store paths in a byte stream,
// as Nix does after a build: a store path refers to another when its
// contents (its NAR) contain the other path's 32-character hash part, for
// example "z45ailnkm27lnvhimqkhy08f6sh5m17d" of
// /nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt.
//
// A Scanner is an io.Writer, so it can sit beside a hash in an
// io.MultiWriter and find references in the same pass that computes the
// NAR hash. Matches that straddle two writes are found.
package refscan

import "github.com/nixsign/nixsign/nix/nixbase32"

// hashLen is the length of a store path's hash part.
const hashLen = 32

var isDigit = func() (t [256]bool) {
	for i := 0; i < len(nixbase32.Alphabet); i++ {
		t[nixbase32.Alphabet[i]] = true
	}
	return t
}()

// Scanner looks for a set of hash parts in what is written to it.
type Scanner struct {
	want map[string]bool // hash part -> found
	tail []byte          // the last hashLen-1 bytes written, for matches across writes
	left int             // candidates not found yet
}

// NewScanner returns a Scanner for the given hash parts (strings of 32
// nixbase32 characters; others can never match and are ignored).
func NewScanner(hashParts []string) *Scanner {
	s := &Scanner{want: make(map[string]bool, len(hashParts))}
	for _, h := range hashParts {
		if len(h) == hashLen && nixbase32.IsValid(h) {
			if _, dup := s.want[h]; !dup {
				s.left++
			}
			s.want[h] = false
		}
	}
	return s
}

// Write scans p. It never fails.
func (s *Scanner) Write(p []byte) (int, error) {
	if s.left == 0 {
		return len(p), nil
	}
	if len(s.tail) > 0 {
		// Matches that start in the tail and end in p.
		n := min(len(p), hashLen-1)
		joined := append(s.tail[:len(s.tail):len(s.tail)], p[:n]...)
		s.search(joined)
	}
	s.search(p)
	// Keep the last hashLen-1 bytes seen.
	if len(p) >= hashLen-1 {
		s.tail = append(s.tail[:0], p[len(p)-(hashLen-1):]...)
	} else {
		s.tail = append(s.tail, p...)
		if over := len(s.tail) - (hashLen - 1); over > 0 {
			s.tail = s.tail[over:]
		}
	}
	return len(p), nil
}

// search finds every candidate that lies wholly inside b. A window is
// checked from its last byte backwards, so a byte outside the alphabet lets
// the search skip past it at once.
func (s *Scanner) search(b []byte) {
	for i := 0; i+hashLen <= len(b); {
		j := hashLen - 1
		for ; j >= 0; j-- {
			if !isDigit[b[i+j]] {
				break
			}
		}
		if j >= 0 {
			i += j + 1
			continue
		}
		if found, ok := s.want[string(b[i:i+hashLen])]; ok && !found {
			s.want[string(b[i:i+hashLen])] = true
			s.left--
		}
		i++
	}
}

// Found returns the hash parts seen so far, in no particular order.
func (s *Scanner) Found() []string {
	var out []string
	for h, found := range s.want {
		if found {
			out = append(out, h)
		}
	}
	return out
}
