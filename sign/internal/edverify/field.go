package edverify

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

// fe is an element of GF(2^255-19) in five 51-bit limbs, little-endian:
// v = l[0] + l[1]·2^51 + l[2]·2^102 + l[3]·2^153 + l[4]·2^204. The
// operations keep every limb below 2^52, which their inputs may also be;
// the value is only reduced modulo p by bytes.
type fe [5]uint64

const mask51 = 1<<51 - 1

var (
	feZero = fe{}
	feOne  = fe{1}
	// d is the curve constant -121665/121666, d2 = 2d, sqrtM1 = 2^((p-1)/4),
	// a square root of -1. They are computed from their definitions.
	d, d2, sqrtM1 fe
)

func init() {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	dd := new(big.Int).ModInverse(big.NewInt(121666), p)
	dd.Mul(dd, big.NewInt(-121665)).Mod(dd, p)
	d = feFromBig(dd)
	d2 = feFromBig(new(big.Int).Mod(new(big.Int).Lsh(dd, 1), p))
	e := new(big.Int).Rsh(new(big.Int).Sub(p, big.NewInt(1)), 2)
	sqrtM1 = feFromBig(new(big.Int).Exp(big.NewInt(2), e, p))
}

// feFromBig returns x, which must be in [0, p).
func feFromBig(x *big.Int) fe {
	var b [32]byte
	x.FillBytes(b[:])
	for i := range 16 {
		b[i], b[31-i] = b[31-i], b[i]
	}
	var v fe
	v.setBytes(&b)
	return v
}

// setBytes sets v to the 255-bit little-endian number in b; the top bit of
// b[31] is ignored and values from p to 2^255-1 are taken as they are, as
// crypto/ed25519 and libsodium decode field elements.
func (v *fe) setBytes(b *[32]byte) {
	v[0] = binary.LittleEndian.Uint64(b[0:8]) & mask51
	v[1] = binary.LittleEndian.Uint64(b[6:14]) >> 3 & mask51
	v[2] = binary.LittleEndian.Uint64(b[12:20]) >> 6 & mask51
	v[3] = binary.LittleEndian.Uint64(b[19:27]) >> 1 & mask51
	v[4] = binary.LittleEndian.Uint64(b[24:32]) >> 12 & mask51
}

// bytes returns the canonical encoding of v: v mod p, little-endian.
func (v *fe) bytes() [32]byte {
	t := *v
	t.carry()
	// t < 2^255 + 2^13·19: subtract p once if t >= p, that is if t + 19
	// carries out of 2^255.
	c := (t[0] + 19) >> 51
	c = (t[1] + c) >> 51
	c = (t[2] + c) >> 51
	c = (t[3] + c) >> 51
	c = (t[4] + c) >> 51
	t[0] += 19 * c
	t[1] += t[0] >> 51
	t[0] &= mask51
	t[2] += t[1] >> 51
	t[1] &= mask51
	t[3] += t[2] >> 51
	t[2] &= mask51
	t[4] += t[3] >> 51
	t[3] &= mask51
	t[4] &= mask51

	var out [32]byte
	var buf [8]byte
	for i, l := range t {
		off := i * 51
		binary.LittleEndian.PutUint64(buf[:], l<<(off%8))
		for j, b := range buf {
			if k := off/8 + j; k < len(out) {
				out[k] |= b
			}
		}
	}
	return out
}

func (v *fe) equal(u *fe) bool { return v.bytes() == u.bytes() }

// isNegative reports whether v mod p is odd (the sign of x in encodings).
func (v *fe) isNegative() bool { b := v.bytes(); return b[0]&1 == 1 }

// carry brings every limb below 2^51 + 2^13·19.
func (v *fe) carry() {
	l0, l1, l2, l3, l4 := v[0], v[1], v[2], v[3], v[4]
	v[0] = l0&mask51 + l4>>51*19
	v[1] = l1&mask51 + l0>>51
	v[2] = l2&mask51 + l1>>51
	v[3] = l3&mask51 + l2>>51
	v[4] = l4&mask51 + l3>>51
}

func feAdd(v, a, b *fe) {
	l0, l1, l2, l3, l4 := a[0]+b[0], a[1]+b[1], a[2]+b[2], a[3]+b[3], a[4]+b[4]
	v[0] = l0&mask51 + l4>>51*19
	v[1] = l1&mask51 + l0>>51
	v[2] = l2&mask51 + l1>>51
	v[3] = l3&mask51 + l2>>51
	v[4] = l4&mask51 + l3>>51
}

// feSub sets v = a - b, adding 2p so that no limb goes below zero.
func feSub(v, a, b *fe) {
	l0 := a[0] + 0xFFFFFFFFFFFDA - b[0]
	l1 := a[1] + 0xFFFFFFFFFFFFE - b[1]
	l2 := a[2] + 0xFFFFFFFFFFFFE - b[2]
	l3 := a[3] + 0xFFFFFFFFFFFFE - b[3]
	l4 := a[4] + 0xFFFFFFFFFFFFE - b[4]
	v[0] = l0&mask51 + l4>>51*19
	v[1] = l1&mask51 + l0>>51
	v[2] = l2&mask51 + l1>>51
	v[3] = l3&mask51 + l2>>51
	v[4] = l4&mask51 + l3>>51
}

func feNeg(v, a *fe) { feSub(v, &feZero, a) }

// u128 is a 128-bit product accumulator.
type u128 struct{ lo, hi uint64 }

func mul64(a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	return u128{lo, hi}
}

func addMul64(v u128, a, b uint64) u128 {
	hi, lo := bits.Mul64(a, b)
	lo, c := bits.Add64(lo, v.lo, 0)
	hi, _ = bits.Add64(hi, v.hi, c)
	return u128{lo, hi}
}

func shr51(a u128) uint64 { return a.hi<<13 | a.lo>>51 }

// feMul sets v = a·b.
func feMul(v, a, b *fe) {
	a0, a1, a2, a3, a4 := a[0], a[1], a[2], a[3], a[4]
	b0, b1, b2, b3, b4 := b[0], b[1], b[2], b[3], b[4]
	b1_19, b2_19, b3_19, b4_19 := b1*19, b2*19, b3*19, b4*19

	r0 := mul64(a0, b0)
	r0 = addMul64(r0, a1, b4_19)
	r0 = addMul64(r0, a2, b3_19)
	r0 = addMul64(r0, a3, b2_19)
	r0 = addMul64(r0, a4, b1_19)

	r1 := mul64(a0, b1)
	r1 = addMul64(r1, a1, b0)
	r1 = addMul64(r1, a2, b4_19)
	r1 = addMul64(r1, a3, b3_19)
	r1 = addMul64(r1, a4, b2_19)

	r2 := mul64(a0, b2)
	r2 = addMul64(r2, a1, b1)
	r2 = addMul64(r2, a2, b0)
	r2 = addMul64(r2, a3, b4_19)
	r2 = addMul64(r2, a4, b3_19)

	r3 := mul64(a0, b3)
	r3 = addMul64(r3, a1, b2)
	r3 = addMul64(r3, a2, b1)
	r3 = addMul64(r3, a3, b0)
	r3 = addMul64(r3, a4, b4_19)

	r4 := mul64(a0, b4)
	r4 = addMul64(r4, a1, b3)
	r4 = addMul64(r4, a2, b2)
	r4 = addMul64(r4, a3, b1)
	r4 = addMul64(r4, a4, b0)

	// Reduce the five 128-bit column sums (each below 2^111, so that
	// c·19 < 2^64) to limbs below 2^51 + 2^13·19.
	c0, c1, c2, c3, c4 := shr51(r0), shr51(r1), shr51(r2), shr51(r3), shr51(r4)
	o0 := r0.lo&mask51 + c4*19
	o1 := r1.lo&mask51 + c0
	o2 := r2.lo&mask51 + c1
	o3 := r3.lo&mask51 + c2
	o4 := r4.lo&mask51 + c3
	v[0] = o0&mask51 + o4>>51*19
	v[1] = o1&mask51 + o0>>51
	v[2] = o2&mask51 + o1>>51
	v[3] = o3&mask51 + o2>>51
	v[4] = o4&mask51 + o3>>51
}

// feSquare sets v = a².
func feSquare(v, a *fe) {
	l0, l1, l2, l3, l4 := a[0], a[1], a[2], a[3], a[4]
	l0_2, l1_2 := l0*2, l1*2
	l1_38, l2_38, l3_38 := l1*38, l2*38, l3*38
	l3_19, l4_19 := l3*19, l4*19

	r0 := mul64(l0, l0)
	r0 = addMul64(r0, l1_38, l4)
	r0 = addMul64(r0, l2_38, l3)

	r1 := mul64(l0_2, l1)
	r1 = addMul64(r1, l2_38, l4)
	r1 = addMul64(r1, l3_19, l3)

	r2 := mul64(l0_2, l2)
	r2 = addMul64(r2, l1, l1)
	r2 = addMul64(r2, l3_38, l4)

	r3 := mul64(l0_2, l3)
	r3 = addMul64(r3, l1_2, l2)
	r3 = addMul64(r3, l4_19, l4)

	r4 := mul64(l0_2, l4)
	r4 = addMul64(r4, l1_2, l3)
	r4 = addMul64(r4, l2, l2)

	// Reduce the five 128-bit column sums (each below 2^111, so that
	// c·19 < 2^64) to limbs below 2^51 + 2^13·19.
	c0, c1, c2, c3, c4 := shr51(r0), shr51(r1), shr51(r2), shr51(r3), shr51(r4)
	o0 := r0.lo&mask51 + c4*19
	o1 := r1.lo&mask51 + c0
	o2 := r2.lo&mask51 + c1
	o3 := r3.lo&mask51 + c2
	o4 := r4.lo&mask51 + c3
	v[0] = o0&mask51 + o4>>51*19
	v[1] = o1&mask51 + o0>>51
	v[2] = o2&mask51 + o1>>51
	v[3] = o3&mask51 + o2>>51
	v[4] = o4&mask51 + o3>>51
}

// feSquareN sets v = a^(2^n), n >= 1.
func feSquareN(v, a *fe, n int) {
	feSquare(v, a)
	for range n - 1 {
		feSquare(v, v)
	}
}

// feInvert sets v = 1/z (0 for z = 0), as z^(p-2).
func feInvert(v, z *fe) {
	var z2, z9, z11, z2_5_0, z2_10_0, z2_20_0, z2_50_0, z2_100_0, t fe
	feSquare(&z2, z)
	feSquareN(&t, &z2, 2)
	feMul(&z9, &t, z)
	feMul(&z11, &z9, &z2)
	feSquare(&t, &z11)
	feMul(&z2_5_0, &t, &z9)
	feSquareN(&t, &z2_5_0, 5)
	feMul(&z2_10_0, &t, &z2_5_0)
	feSquareN(&t, &z2_10_0, 10)
	feMul(&z2_20_0, &t, &z2_10_0)
	feSquareN(&t, &z2_20_0, 20)
	feMul(&t, &t, &z2_20_0)
	feSquareN(&t, &t, 10)
	feMul(&z2_50_0, &t, &z2_10_0)
	feSquareN(&t, &z2_50_0, 50)
	feMul(&z2_100_0, &t, &z2_50_0)
	feSquareN(&t, &z2_100_0, 100)
	feMul(&t, &t, &z2_100_0)
	feSquareN(&t, &t, 50)
	feMul(&t, &t, &z2_50_0)
	feSquareN(&t, &t, 5)
	feMul(v, &t, &z11)
}

// fePow22523 sets v = x^((p-5)/8) = x^(2^252-3).
func fePow22523(v, x *fe) {
	var t0, t1, t2 fe
	feSquare(&t0, x)
	feSquareN(&t1, &t0, 2)
	feMul(&t1, x, &t1)
	feMul(&t0, &t0, &t1)
	feSquare(&t0, &t0)
	feMul(&t0, &t1, &t0)
	feSquareN(&t1, &t0, 5)
	feMul(&t0, &t1, &t0)
	feSquareN(&t1, &t0, 10)
	feMul(&t1, &t1, &t0)
	feSquareN(&t2, &t1, 20)
	feMul(&t1, &t2, &t1)
	feSquareN(&t1, &t1, 10)
	feMul(&t0, &t1, &t0)
	feSquareN(&t1, &t0, 50)
	feMul(&t1, &t1, &t0)
	feSquareN(&t2, &t1, 100)
	feMul(&t1, &t2, &t1)
	feSquareN(&t1, &t1, 50)
	feMul(&t0, &t1, &t0)
	feSquareN(&t0, &t0, 2)
	feMul(v, &t0, x)
}

// sqrtRatio sets r to the non-negative square root of u/v and reports
// whether u/v is a square (v != 0).
func sqrtRatio(r, u, v *fe) bool {
	var v2, v3, uv3, uv7, t, rr, check fe
	feSquare(&v2, v)
	feMul(&v3, &v2, v)
	feMul(&uv3, u, &v3)
	feSquare(&t, &v2)
	feMul(&uv7, &uv3, &t)
	fePow22523(&t, &uv7)
	feMul(&rr, &uv3, &t) // r = (u·v³)·(u·v⁷)^((p-5)/8)
	feSquare(&t, &rr)
	feMul(&check, v, &t) // v·r²
	var uNeg, uNegI fe
	feNeg(&uNeg, u)
	feMul(&uNegI, &uNeg, &sqrtM1)
	correct := check.equal(u)
	flipped := check.equal(&uNeg)
	flippedI := check.equal(&uNegI)
	if flipped || flippedI {
		feMul(&rr, &rr, &sqrtM1)
	}
	if rr.isNegative() {
		feNeg(&rr, &rr)
	}
	*r = rr
	return correct || flipped
}
