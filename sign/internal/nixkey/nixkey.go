// Package nixkey holds the two text primitives that Nix's keys and
// signatures share: splitting "<name>:<base64>" at the first colon, and
// Nix's own lenient base64 decoder.
//
// Both follow Nix 2.8.0 (src/libstore/crypto.cc split, src/libutil/util.cc
// base64Decode) and take a string or a byte slice, so that a secret key need
// not be copied into an immutable string. Errors never contain the input:
// the same code reads secret keys.
package nixkey

import "fmt"

// Split splits s at the first ':' as Nix's split does. ok is false when
// there is no ':' or the ':' comes first (an empty name); Nix then uses the
// name "" for a signature and calls a key corrupt.
func Split[T ~string | ~[]byte](s T) (name, rest T, ok bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			if i == 0 {
				break
			}
			return s[:i], s[i+1:], true
		}
	}
	return name, rest, false
}

// CharError reports a byte outside the base64 alphabet. Offset counts from
// the start of the string given to Decode. The byte itself is kept
// unexported so that a secret key's reader cannot print it by accident.
type CharError struct {
	Offset int
	char   byte
}

func (e *CharError) Error() string {
	return fmt.Sprintf("invalid base64 character at offset %d", e.Offset)
}

// Char returns the offending byte, for messages about public data.
func (e *CharError) Char() byte { return e.char }

// decodeMap maps a byte to its 6-bit value, or 0xff outside the alphabet.
var decodeMap = func() (m [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range m {
		m[i] = 0xff
	}
	for i := 0; i < len(alphabet); i++ {
		m[alphabet[i]] = byte(i)
	}
	return m
}()

// Decode decodes standard base64 the way Nix's base64Decode does: it stops
// at the first '=' and ignores everything after it, skips '\n' anywhere,
// rejects any other byte outside the alphabet, does not require padding and
// drops leftover bits. dst receives the bytes; Decode returns how many.
// dst must hold len(s)*3/4 bytes.
func Decode[T ~string | ~[]byte](dst []byte, s T) (int, error) {
	n := 0
	var acc uint
	bits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '=' {
			break
		}
		if c == '\n' {
			continue
		}
		v := decodeMap[c]
		if v == 0xff {
			return 0, &CharError{Offset: i, char: c}
		}
		acc = acc<<6 | uint(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst[n] = byte(acc >> uint(bits))
			n++
		}
		acc &= 1<<uint(bits) - 1
	}
	return n, nil
}

// DecodedLen returns the size of a buffer that Decode can fill from n bytes.
func DecodedLen(n int) int { return n * 3 / 4 }
