package edverify

// point is a point of the twisted Edwards curve -x² + y² = 1 + d·x²·y² in
// extended coordinates: x = X/Z, y = Y/Z, x·y = T/Z.
type point struct{ x, y, z, t fe }

// niels is an affine point prepared for mixed addition: y+x, y-x, 2·d·x·y.
type niels struct{ ypx, ymx, t2d fe }

func (p *point) identity() { *p = point{y: feOne, z: feOne} }

// setBytes decodes a point as crypto/ed25519 and libsodium do: y from the
// low 255 bits (values from p on are reduced), x the root of
// (y²-1)/(d·y²+1) whose parity is the top bit. It reports whether there
// is such a root.
func (p *point) setBytes(b *[32]byte) bool {
	var y, y2, u, v, x fe
	y.setBytes(b)
	feSquare(&y2, &y)
	feSub(&u, &y2, &feOne)
	feMul(&v, &y2, &d)
	feAdd(&v, &v, &feOne)
	if !sqrtRatio(&x, &u, &v) {
		return false
	}
	if b[31]>>7 == 1 {
		feNeg(&x, &x)
	}
	p.x, p.y, p.z = x, y, feOne
	feMul(&p.t, &x, &y)
	return true
}

// bytes returns the canonical encoding of p: y, with the parity of x in
// the top bit.
func (p *point) bytes() [32]byte {
	var zInv, x, y fe
	feInvert(&zInv, &p.z)
	feMul(&x, &p.x, &zInv)
	feMul(&y, &p.y, &zInv)
	out := y.bytes()
	if x.isNegative() {
		out[31] |= 0x80
	}
	return out
}

// add sets p = a + b (extended coordinates, add-2008-hwcd-3).
func (p *point) add(a, b *point) {
	var ypx, ymx, t2d, z2 fe
	feAdd(&ypx, &b.y, &b.x)
	feSub(&ymx, &b.y, &b.x)
	feMul(&t2d, &b.t, &d2)
	feAdd(&z2, &b.z, &b.z)
	var pp, mm, tt, zz fe
	feAdd(&pp, &a.y, &a.x)
	feSub(&mm, &a.y, &a.x)
	feMul(&pp, &pp, &ypx) // B = (Y1+X1)(Y2+X2)
	feMul(&mm, &mm, &ymx) // A = (Y1-X1)(Y2-X2)
	feMul(&tt, &a.t, &t2d)
	feMul(&zz, &a.z, &z2)
	p.finish(&pp, &mm, &tt, &zz, false)
}

// addNiels sets p = a + q, or a - q with sub.
func (p *point) addNiels(a *point, q *niels, sub bool) {
	var pp, mm, tt, zz fe
	feAdd(&pp, &a.y, &a.x)
	feSub(&mm, &a.y, &a.x)
	if sub {
		// -q has y+x and y-x swapped and -t2d.
		feMul(&pp, &pp, &q.ymx)
		feMul(&mm, &mm, &q.ypx)
	} else {
		feMul(&pp, &pp, &q.ypx)
		feMul(&mm, &mm, &q.ymx)
	}
	feMul(&tt, &a.t, &q.t2d)
	feAdd(&zz, &a.z, &a.z)
	p.finish(&pp, &mm, &tt, &zz, sub)
}

// finish completes an addition from B = pp, A = mm, C = tt, D = zz; with
// neg, C is negated.
func (p *point) finish(pp, mm, tt, zz *fe, neg bool) {
	var e, f, g, h fe
	feSub(&e, pp, mm)
	if neg {
		feAdd(&f, zz, tt)
		feSub(&g, zz, tt)
	} else {
		feSub(&f, zz, tt)
		feAdd(&g, zz, tt)
	}
	feAdd(&h, pp, mm)
	feMul(&p.x, &e, &f)
	feMul(&p.y, &g, &h)
	feMul(&p.t, &e, &h)
	feMul(&p.z, &f, &g)
}

// double sets p = 2a (dbl-2008-hwcd with a = -1).
func (p *point) double(a *point) {
	var aa, bb, cc, s, e, g, f, h fe
	feSquare(&aa, &a.x)
	feSquare(&bb, &a.y)
	feSquare(&cc, &a.z)
	feAdd(&cc, &cc, &cc)
	feAdd(&s, &a.x, &a.y)
	feSquare(&s, &s)
	feAdd(&h, &aa, &bb) // A + B
	feSub(&e, &s, &h)   // E = (X+Y)² - A - B
	feSub(&g, &bb, &aa) // G = B - A
	feSub(&f, &g, &cc)  // F = G - C
	feNeg(&h, &h)       // H = -A - B
	feMul(&p.x, &e, &f)
	feMul(&p.y, &g, &h)
	feMul(&p.t, &e, &h)
	feMul(&p.z, &f, &g)
}

// toNiels converts points to affine niels form with one inversion.
func toNiels(ps []point) []niels {
	n := len(ps)
	// Montgomery's trick: prefix products of the Zs.
	pre := make([]fe, n)
	acc := feOne
	for i := range ps {
		pre[i] = acc
		feMul(&acc, &acc, &ps[i].z)
	}
	var inv fe
	feInvert(&inv, &acc)
	out := make([]niels, n)
	for i := n - 1; i >= 0; i-- {
		var zInv, x, y fe
		feMul(&zInv, &inv, &pre[i]) // 1/Z_i
		feMul(&inv, &inv, &ps[i].z) // 1/(Z_0···Z_{i-1})
		feMul(&x, &ps[i].x, &zInv)
		feMul(&y, &ps[i].y, &zInv)
		q := &out[i]
		feAdd(&q.ypx, &y, &x)
		feSub(&q.ymx, &y, &x)
		feMul(&q.t2d, &x, &y)
		feMul(&q.t2d, &q.t2d, &d2)
	}
	return out
}
