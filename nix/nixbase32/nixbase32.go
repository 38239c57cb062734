// Package nixbase32 implements Nix's base-32 encoding.
//
// Nix writes hashes in store paths, narinfo files and fingerprints in a base-32
// alphabet of its own, "0123456789abcdfghijklmnpqrsvwxyz" (no e, o, u or t),
// with no padding. The input bytes are read as one little-endian integer and
// the 5-bit digits are written most significant first, so the encoding is not
// RFC 4648 base32 read backwards byte by byte but digit by digit.
//
// An n-byte input encodes to (8n-1)/5+1 characters: 52 for SHA-256, 32 for
// the 20-byte hash part of a store path. For example the SHA-256 of the NAR
// of a file holding "hello world\n" is
//
//	34ca3ac63094d1d5751f741101692a78f95eedf10744b088129fc324dfd0f603 (base16)
//	00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil             (nixbase32)
package nixbase32

import (
	"errors"
	"fmt"
)

// Alphabet is the set of digits, in order of value.
const Alphabet = "0123456789abcdfghijklmnpqrsvwxyz"

// decodeMap maps a character to its value, or 0xff when it is not a digit.
var decodeMap = func() (m [256]byte) {
	for i := range m {
		m[i] = 0xff
	}
	for i := 0; i < len(Alphabet); i++ {
		m[Alphabet[i]] = byte(i)
	}
	return m
}()

// ErrInvalid is returned (wrapped) for any malformed input.
var ErrInvalid = errors.New("invalid base-32 hash")

// EncodedLen returns the length of the encoding of n bytes.
func EncodedLen(n int) int {
	if n == 0 {
		return 0
	}
	return (8*n-1)/5 + 1
}

// DecodedLen returns the number of bytes that n characters decode to.
func DecodedLen(n int) int {
	return n * 5 / 8
}

// Encode writes the encoding of src into dst, which must hold
// EncodedLen(len(src)) bytes.
func Encode(dst, src []byte) {
	n := EncodedLen(len(src))
	for d := 0; d < n; d++ {
		b := uint(5 * (n - 1 - d))
		i, j := b/8, b%8
		c := src[i] >> j
		if int(i)+1 < len(src) {
			c |= src[i+1] << (8 - j)
		}
		dst[d] = Alphabet[c&31]
	}
}

// EncodeToString returns the encoding of src.
func EncodeToString(src []byte) string {
	dst := make([]byte, EncodedLen(len(src)))
	Encode(dst, src)
	return string(dst)
}

// Decode decodes src into dst, which must hold DecodedLen(len(src)) bytes.
// It rejects characters outside the alphabet and digits whose bits would
// overflow the last byte, as Nix does.
func Decode(dst, src []byte) error {
	n := DecodedLen(len(src))
	clear(dst[:n])
	for d := 0; d < len(src); d++ {
		v := decodeMap[src[len(src)-1-d]]
		if v == 0xff {
			return fmt.Errorf("%w: character %q at offset %d", ErrInvalid, src[len(src)-1-d], len(src)-1-d)
		}
		b := uint(5 * d)
		i, j := b/8, b%8
		if int(i) >= n {
			if v != 0 {
				return fmt.Errorf("%w: %d characters overflow %d bytes", ErrInvalid, len(src), n)
			}
			continue
		}
		dst[i] |= v << j
		if carry := v >> (8 - j); carry != 0 {
			if int(i)+1 >= n {
				return fmt.Errorf("%w: %d characters overflow %d bytes", ErrInvalid, len(src), n)
			}
			dst[i+1] |= carry
		}
	}
	return nil
}

// DecodeString returns the bytes that s encodes.
func DecodeString(s string) ([]byte, error) {
	dst := make([]byte, DecodedLen(len(s)))
	if err := Decode(dst, []byte(s)); err != nil {
		return nil, err
	}
	return dst, nil
}

// IsValid reports whether s consists only of nixbase32 digits.
func IsValid(s string) bool {
	for i := 0; i < len(s); i++ {
		if decodeMap[s[i]] == 0xff {
			return false
		}
	}
	return true
}
