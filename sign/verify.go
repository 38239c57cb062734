package sign

import (
	"bytes"
	"crypto/ed25519"
)

// verify checks an Ed25519 signature the way libsodium 1.0.18's
// crypto_sign_verify_detached does, which is what Nix calls. On top of
// crypto/ed25519 (which already rejects a non-canonical S), libsodium
// rejects
//   - an R (the signature's first half) of small order,
//   - a public key that is a non-canonical encoding (y >= p), and
//   - a public key of small order.
//
// With a small-order public key anyone can forge signatures that
// crypto/ed25519 accepts; Nix rejects them, and so must we.
func verify(pk *[PublicKeySize]byte, msg string, sig *[SignatureSize]byte) bool {
	if hasSmallOrder(sig[:32]) || !usableKey(pk) {
		return false
	}
	return ed25519.Verify(pk[:], []byte(msg), sig[:])
}

// usableKey makes libsodium's checks of a public key: canonical, and not
// of small order.
func usableKey(pk *[PublicKeySize]byte) bool {
	return isCanonicalPoint(pk) && !hasSmallOrder(pk[:])
}

// keyState is a KeySet's key with libsodium's checks of it made once.
type keyState struct {
	key    PublicKey
	usable bool // usableKey
}

func newKeyState(k PublicKey) *keyState {
	return &keyState{key: k, usable: usableKey(&k.key)}
}

// verify is the package's verify with the key's checks already made.
func (st *keyState) verify(msg string, sig *[SignatureSize]byte) bool {
	if !st.usable || hasSmallOrder(sig[:32]) {
		return false
	}
	return ed25519.Verify(st.key.key[:], []byte(msg), sig[:])
}

// smallOrder lists the encodings of the points of order 1, 2, 4 and 8,
// with the sign bit cleared, as libsodium's ge25519_has_small_order does.
var smallOrder = [][32]byte{
	{0x00}, // 0 (order 4)
	{0x01}, // 1 (order 1)
	{0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0, // order 8
		0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},
	{0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f, // order 8
		0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},
	pMinus(1),  // p-1 (order 2)
	pMinus(0),  // p, non-canonical 0 (order 4)
	pMinus(-1), // p+1, non-canonical 1 (order 1)
}

// pMinus returns the little-endian encoding of 2^255-19-d.
func pMinus(d int) (b [32]byte) {
	for i := range b {
		b[i] = 0xff
	}
	b[0] = byte(0xed - d)
	b[31] = 0x7f
	return b
}

// hasSmallOrder is libsodium's ge25519_has_small_order: s, sign bit
// ignored, is one of the encodings in smallOrder.
func hasSmallOrder(s []byte) bool {
	var t [32]byte
	copy(t[:], s)
	t[31] &= 0x7f
	for i := range smallOrder {
		if bytes.Equal(t[:], smallOrder[i][:]) {
			return true
		}
	}
	return false
}

// isCanonicalPoint is libsodium's ge25519_is_canonical: the y coordinate,
// sign bit ignored, is below p = 2^255-19.
func isCanonicalPoint(s *[32]byte) bool {
	if s[31]&0x7f != 0x7f || s[0] < 0xed {
		return true
	}
	for _, b := range s[1:31] {
		if b != 0xff {
			return true
		}
	}
	return false
}
