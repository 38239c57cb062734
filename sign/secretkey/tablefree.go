package secretkey

// Ed25519 for a process's first few operations, without crypto/ed25519's
// precomputed table.
//
// crypto/ed25519 computes the only secret-dependent point, x·B (B the base
// point), with a table of 32×8 multiples of B that it builds, once per
// process, the first time NewKeyFromSeed or Sign runs: ~256 field
// inversions. nixsign-hook runs once per Nix build, parses one key (which
// derives its public half from its seed) and signs one or two fingerprints,
// so it would pay for the whole table to use a few entries. Instead the
// first tableFreeOps operations of a process compute x·B with
// filippo.io/edwards25519 (upstream of Go's internal copy): ScalarMult,
// constant time, with an 8-entry table of B built per call, and everything
// else is RFC 8032 §5.1.5 (key generation) and §5.1.6 (signing) composed
// from that package's Scalar and crypto/sha512, exactly as crypto/ed25519
// composes them. Ed25519 is deterministic, so both ways give the same bytes
// (see tablefree_test.go, which compares them on RFC 8032's vectors, Nix's
// and random and fuzzed keys and messages). Later operations use
// crypto/ed25519, whose warm table makes x·B several times faster.
//
// Measured on a 2-core amd64 machine (Go 1.26; medians; benchmarks in
// tablefree_test.go):
//
//	crypto/ed25519's table (first NewKeyFromSeed minus a warm one)  1200–1600 µs
//	Sign: crypto/ed25519 warm / table-free                          27 / 65–70 µs
//	public key from seed: crypto/ed25519 warm / table-free          21 / 60–69 µs
//
// A table-free operation costs ~40 µs more than a warm one, so the table
// pays for itself after ~1400/40 ≈ 35 operations. tableFreeOps = 16 stays
// well below that, so that a process that signs a lot loses at most
// 16×40 µs ≈ 0.65 ms (under half the table), while one that parses a key and
// signs up to 15 fingerprints never builds the table. In a fresh process
// (a program that times Parse and Sign from main; median of 100–300 runs,
// crypto/ed25519 only → as here): Parse and one Sign 1.69 → 0.22 ms, Parse and two Signs
// 1.92 → 0.31 ms, Parse and ten Signs 2.14 → 1.00 ms; with twenty or a
// thousand Signs the difference is lost in the noise (3.3 ms, 35–38 ms).
//
// In FIPS 140-3 mode crypto/ed25519 (the validated module, with its
// self-tests) is always used.

import (
	"crypto/ed25519"
	"crypto/fips140"
	"crypto/sha512"
	"sync/atomic"

	"filippo.io/edwards25519"
)

// tableFreeOps is how many Ed25519 operations (public key derivations and
// signatures) a process does without crypto/ed25519's table; see above.
const tableFreeOps = 16

// ed25519Ops counts the operations that asked to go table-free; it stops
// growing (bar racing callers) once it reaches tableFreeOps.
var ed25519Ops atomic.Uint32

// takeTableFree reports whether the caller's operation is one of the
// process's first tableFreeOps, which skip crypto/ed25519's table.
func takeTableFree() bool {
	if ed25519Ops.Load() >= tableFreeOps || fips140.Enabled() {
		return false
	}
	return ed25519Ops.Add(1) <= tableFreeOps
}

// publicKeyOf returns the Ed25519 public key of seed, as
// ed25519.NewKeyFromSeed(seed)[32:].
func publicKeyOf(seed *[ed25519.SeedSize]byte) [ed25519.PublicKeySize]byte {
	if takeTableFree() {
		return tableFreePublicKey(seed)
	}
	priv := ed25519.NewKeyFromSeed(seed[:])
	defer clear(priv)
	return [ed25519.PublicKeySize]byte(priv[ed25519.SeedSize:])
}

// signWith returns ed25519.Sign(sk[:], message).
func signWith(sk *[Size]byte, message []byte) []byte {
	if takeTableFree() {
		return tableFreeSign(sk, message)
	}
	return ed25519.Sign(sk[:], message)
}

// expand is RFC 8032 §5.1.5 steps 1–3: the secret scalar s (the clamped
// first half of SHA-512(seed)) and the prefix (its second half). The caller
// wipes both.
func expand(s *edwards25519.Scalar, prefix *[32]byte, seed []byte) {
	h := sha512.Sum512(seed)
	defer clear(h[:])
	if _, err := s.SetBytesWithClamping(h[:32]); err != nil {
		panic("secretkey: internal error: " + err.Error()) // only on a wrong length
	}
	copy(prefix[:], h[32:])
}

// baseMult returns x·B in constant time without a global table.
// ScalarBaseMult would build edwards25519's own copy of that table (and
// the VarTime methods must not see a secret scalar).
func baseMult(x *edwards25519.Scalar) *edwards25519.Point {
	return new(edwards25519.Point).ScalarMult(x, edwards25519.NewGeneratorPoint())
}

// tableFreePublicKey is RFC 8032 §5.1.5: the encoding of s·B.
func tableFreePublicKey(seed *[ed25519.SeedSize]byte) (pub [ed25519.PublicKeySize]byte) {
	var s edwards25519.Scalar
	var prefix [32]byte
	defer wipe(&s, &prefix)
	expand(&s, &prefix, seed[:])
	copy(pub[:], baseMult(&s).Bytes())
	return pub
}

// tableFreeSign is RFC 8032 §5.1.6 with the public key A taken from
// sk[32:], as crypto/ed25519 takes it (whether or not it matches the seed):
//
//	r = SHA-512(prefix || M) mod L,  R = r·B
//	k = SHA-512(R || A || M) mod L,  S = (r + k·s) mod L
//	signature = R || S
func tableFreeSign(sk *[Size]byte, message []byte) []byte {
	var s, r edwards25519.Scalar
	var prefix [32]byte
	defer wipe(&s, &prefix)
	defer wipe(&r, nil)
	expand(&s, &prefix, sk[:ed25519.SeedSize])

	var digest [sha512.Size]byte
	defer clear(digest[:])
	h := sha512.New()
	h.Write(prefix[:])
	h.Write(message)
	if _, err := r.SetUniformBytes(h.Sum(digest[:0])); err != nil {
		panic("secretkey: internal error: " + err.Error())
	}
	h.Reset()
	R := baseMult(&r).Bytes()

	h.Write(R)
	h.Write(sk[ed25519.SeedSize:])
	h.Write(message)
	k, err := new(edwards25519.Scalar).SetUniformBytes(h.Sum(digest[:0]))
	if err != nil {
		panic("secretkey: internal error: " + err.Error())
	}
	S := new(edwards25519.Scalar).MultiplyAdd(k, &s, &r)

	sig := make([]byte, ed25519.SignatureSize)
	copy(sig, R)
	copy(sig[32:], S.Bytes())
	return sig
}

// wipe zeroes a secret scalar and, if not nil, a prefix: best effort, like
// the rest of the package (the hash states and the stack of ScalarMult are
// not wiped, as in crypto/ed25519).
func wipe(s *edwards25519.Scalar, prefix *[32]byte) {
	*s = edwards25519.Scalar{}
	if prefix != nil {
		clear(prefix[:])
	}
}
