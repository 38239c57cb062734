// Package hash implements Nix's textual hashes.
//
// Nix prints a hash in one of four encodings and, usually, with its algorithm:
//
//	base16   sha256:34ca3ac63094d1d5751f741101692a78f95eedf10744b088129fc324dfd0f603
//	nix32    sha256:00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil   (narinfo, fingerprints)
//	base64   sha256:NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM=
//	SRI      sha256-NMo6xjCU0dV1H3QRAWkqePle7fEHRLCIEp/DJN/Q9gM=          (nix path-info --json)
//
// When parsing, the encoding after "algo:" is chosen by length alone, as in
// Nix's Hash::parseAnyPrefixed: for SHA-256, 64 characters are base16, 52 are
// nix32 and 44 are base64. SRI is always base64.
package hash

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/nix/nixbase32"
)

// Algo is a hash algorithm Nix knows.
type Algo uint8

// The algorithms, with their digest sizes.
const (
	Unknown Algo = iota
	MD5
	SHA1
	SHA256
	SHA512
)

var algoNames = [...]string{Unknown: "", MD5: "md5", SHA1: "sha1", SHA256: "sha256", SHA512: "sha512"}
var algoSizes = [...]int{Unknown: 0, MD5: 16, SHA1: 20, SHA256: 32, SHA512: 64}

// String returns the name Nix uses for a, e.g. "sha256".
func (a Algo) String() string {
	if int(a) < len(algoNames) {
		return algoNames[a]
	}
	return ""
}

// Size returns the digest size of a in bytes.
func (a Algo) Size() int {
	if int(a) < len(algoSizes) {
		return algoSizes[a]
	}
	return 0
}

// ParseAlgo returns the algorithm named s.
func ParseAlgo(s string) (Algo, error) {
	for a, n := range algoNames {
		if n != "" && n == s {
			return Algo(a), nil
		}
	}
	return Unknown, fmt.Errorf("unknown hash algorithm %q", s)
}

// Hash is a digest with its algorithm.
type Hash struct {
	Algo   Algo
	Digest []byte
}

// SHA256Sum wraps a SHA-256 digest.
func SHA256Sum(d [sha256.Size]byte) Hash {
	return Hash{Algo: SHA256, Digest: d[:]}
}

// ErrInvalid is wrapped by every parse error.
var ErrInvalid = errors.New("invalid hash")

// Parse parses a hash that names its algorithm: "algo:digest" in base16,
// nix32 or base64 (told apart by length), or SRI "algo-base64".
func Parse(s string) (Hash, error) {
	if i := strings.IndexByte(s, ':'); i >= 0 {
		a, err := ParseAlgo(s[:i])
		if err != nil {
			return Hash{}, fmt.Errorf("%w %q: %v", ErrInvalid, s, err)
		}
		return ParseAs(a, s[i+1:])
	}
	if i := strings.IndexByte(s, '-'); i >= 0 {
		a, err := ParseAlgo(s[:i])
		if err != nil {
			return Hash{}, fmt.Errorf("%w %q: %v", ErrInvalid, s, err)
		}
		return parseBase64(a, s[i+1:], s)
	}
	return Hash{}, fmt.Errorf("%w %q: no algorithm prefix such as 'sha256:'", ErrInvalid, s)
}

// ParseAs parses a digest of algorithm a written without a prefix, in base16,
// nix32 or base64, told apart by length.
func ParseAs(a Algo, s string) (Hash, error) {
	n := a.Size()
	if n == 0 {
		return Hash{}, fmt.Errorf("%w %q: unknown algorithm", ErrInvalid, s)
	}
	switch len(s) {
	case 2 * n:
		d, err := hex.DecodeString(s)
		if err != nil || strings.ToLower(s) != s {
			return Hash{}, fmt.Errorf("%w: %q is not lowercase base16", ErrInvalid, s)
		}
		return Hash{a, d}, nil
	case nixbase32.EncodedLen(n):
		d, err := nixbase32.DecodeString(s)
		if err != nil {
			return Hash{}, fmt.Errorf("%w: %q: %v", ErrInvalid, s, err)
		}
		return Hash{a, d}, nil
	case base64.StdEncoding.EncodedLen(n):
		return parseBase64(a, s, s)
	}
	return Hash{}, fmt.Errorf("%w: %q has the wrong length for a %s hash", ErrInvalid, s, a)
}

func parseBase64(a Algo, b64, whole string) (Hash, error) {
	d, err := base64.StdEncoding.Strict().DecodeString(b64)
	if err != nil || len(d) != a.Size() {
		return Hash{}, fmt.Errorf("%w: %q is not a base64 %s digest", ErrInvalid, whole, a)
	}
	return Hash{a, d}, nil
}

// String returns the form used in narinfo files and fingerprints,
// "sha256:<nix32>".
func (h Hash) String() string { return h.Algo.String() + ":" + h.Nix32() }

// Base16 returns the digest in lowercase hexadecimal.
func (h Hash) Base16() string { return hex.EncodeToString(h.Digest) }

// Nix32 returns the digest in nixbase32.
func (h Hash) Nix32() string { return nixbase32.EncodeToString(h.Digest) }

// Base64 returns the digest in padded standard base64.
func (h Hash) Base64() string { return base64.StdEncoding.EncodeToString(h.Digest) }

// SRI returns the Subresource Integrity form, "sha256-<base64>".
func (h Hash) SRI() string { return h.Algo.String() + "-" + h.Base64() }

// Equal reports whether h and o are the same digest of the same algorithm.
func (h Hash) Equal(o Hash) bool { return h.Algo == o.Algo && bytes.Equal(h.Digest, o.Digest) }

// IsZero reports whether h holds no digest.
func (h Hash) IsZero() bool { return h.Algo == Unknown && len(h.Digest) == 0 }
