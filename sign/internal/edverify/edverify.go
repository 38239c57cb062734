// Package edverify verifies many Ed25519 signatures by the same public key
// faster than crypto/ed25519, with the same outcome.
//
// crypto/ed25519.Verify computes R' = [S]B - [k]A, with k = SHA-512(R || A
// || M) mod l, by a variable-base double scalar multiplication: about 250
// point doublings and 80 additions, 85 µs on the CI machine. A Key keeps,
// for its point A, a table of the multiples j·256^i·A (j = 1..128, i =
// 0..31), and a table of the same multiples of the base point B is shared:
// with the scalars written in signed radix 256, R' is then a sum of 64
// table entries, with no doubling at all. Building a key's table costs
// about as much as 20 verifications, so it pays from about that many
// signatures on.
//
// The check is crypto/ed25519's (and libsodium's, which Nix calls):
// S < l, A decodes to a curve point (low 255 bits as y, reduced mod p,
// top bit the parity of x), and the canonical encoding of R' equals R
// byte for byte, which rejects non-canonical R. The extra checks that
// libsodium makes on R and A are the caller's (package sign).
package edverify

import (
	"crypto/sha512"
	"io"
	"math/big"
	"sync"
)

const (
	window  = 8                 // bits per signed digit
	digits  = 32                // ceil(253/8): digits of a scalar below l
	half    = 1 << (window - 1) // digits are in [-128, 128)
	entries = half              // multiples 1..128 of each row's point
	tblSize = digits * entries  // points in a table
)

// table holds j·256^i·P at [i*entries + j-1].
type table []niels

// newTable computes the table of P.
func newTable(p *point) table {
	ps := make([]point, tblSize)
	row := *p
	for i := range digits {
		ps[i*entries] = row
		for j := 1; j < entries; j++ {
			ps[i*entries+j].add(&ps[i*entries+j-1], &row)
		}
		if i < digits-1 {
			// The next row's point: 256·row = 128·row + 128·row.
			row.add(&ps[i*entries+entries-1], &ps[i*entries+entries-1])
		}
	}
	return toNiels(ps)
}

var (
	baseOnce  sync.Once
	baseTable table
	// order is l = 2^252 + 27742317777372353535851937790883648493.
	order, _ = new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
)

func base() table {
	baseOnce.Do(func() {
		// B = (x, 4/5) with x even: its encoding is 0x58 followed by 0x66s.
		var enc [32]byte
		enc[0] = 0x58
		for i := 1; i < 32; i++ {
			enc[i] = 0x66
		}
		var b point
		if !b.setBytes(&enc) {
			panic("edverify: base point")
		}
		baseTable = newTable(&b)
	})
	return baseTable
}

// A Key is a public key ready for fast verification.
type Key struct {
	enc [32]byte
	tbl table
}

// NewKey prepares the public key pk (32 bytes) and reports whether it
// decodes to a curve point; a key that does not verifies nothing, as with
// crypto/ed25519.
func NewKey(pk *[32]byte) (*Key, bool) {
	var a point
	if !a.setBytes(pk) {
		return nil, false
	}
	base()
	return &Key{enc: *pk, tbl: newTable(&a)}, true
}

// Verify reports whether sig is a valid signature of msg by k, exactly as
// crypto/ed25519.Verify(pk, msg, sig) does.
func (k *Key) Verify(msg string, sig *[64]byte) bool {
	s, ok := canonicalScalar(sig[32:])
	if !ok {
		return false
	}
	h := sha512.New()
	h.Write(sig[:32])
	h.Write(k.enc[:])
	io.WriteString(h, msg)
	var dg [64]byte
	kk := reduceScalar(h.Sum(dg[:0]))

	sd, kd := radix256(&s), radix256(&kk)
	bt := base()
	var r point
	r.identity()
	for i := range digits {
		addDigit(&r, bt[i*entries:], sd[i], false)
		addDigit(&r, k.tbl[i*entries:], kd[i], true)
	}
	return r.bytes() == [32]byte(sig[:32])
}

// addDigit adds dg times the row's point to r, or subtracts it.
func addDigit(r *point, row table, dg int32, sub bool) {
	switch {
	case dg > 0:
		r.addNiels(r, &row[dg-1], sub)
	case dg < 0:
		r.addNiels(r, &row[-dg-1], !sub)
	}
}

// canonicalScalar returns the 32 little-endian bytes b if they are below
// l, as RFC 8032 and libsodium require of S.
func canonicalScalar(b []byte) ([32]byte, bool) {
	var s [32]byte
	copy(s[:], b)
	if s[31]&0xf0 != 0 {
		return s, false
	}
	return s, leToBig(s[:]).Cmp(order) < 0
}

// reduceScalar returns the 64-byte little-endian number b mod l.
func reduceScalar(b []byte) [32]byte {
	x := leToBig(b)
	x.Mod(x, order)
	var be, le [32]byte
	x.FillBytes(be[:])
	for i := range 32 {
		le[i] = be[31-i]
	}
	return le
}

func leToBig(b []byte) *big.Int {
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	return new(big.Int).SetBytes(be)
}

// radix256 writes s (below 2^255) as 32 signed digits in [-128, 128):
// s = Σ e[i]·256^i. The top digit takes the last carry; s < 2^253 keeps it
// below 128.
func radix256(s *[32]byte) [digits]int32 {
	var e [digits]int32
	carry := int32(0)
	for i := range digits {
		v := int32(s[i]) + carry
		carry = (v + half) >> window
		e[i] = v - carry<<window
	}
	return e
}
