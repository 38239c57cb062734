package edverify

import (
	"crypto/ed25519"
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"testing"
)

// The field constants are those of the curve.
func TestConstants(t *testing.T) {
	var m fe
	feSquare(&m, &sqrtM1)
	var minus1 fe
	feNeg(&minus1, &feOne)
	if !m.equal(&minus1) {
		t.Error("sqrtM1² != -1")
	}
	var dd fe
	feAdd(&dd, &d, &d)
	if !dd.equal(&d2) {
		t.Error("d2 != 2d")
	}
	// B encodes as crypto/ed25519 derives it: the public key of the
	// scalar 1 is not reachable from a seed, so compare [8]B via the
	// table with the key of a seed instead (TestDifferential).
	if len(base()) != tblSize {
		t.Error("base table size")
	}
}

// Field arithmetic agrees with math/big on random inputs, including
// non-reduced ones.
func TestFieldBig(t *testing.T) {
	p := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 255), big.NewInt(19))
	r := rand.New(rand.NewPCG(1, 2))
	rnd := func() (fe, *big.Int) {
		var b [32]byte
		for i := range 4 {
			binary.LittleEndian.PutUint64(b[i*8:], r.Uint64())
		}
		if r.IntN(8) == 0 {
			for i := range b {
				b[i] = 0xff // at or above p
			}
			b[0] = byte(0xed + r.IntN(0x13))
		}
		var v fe
		v.setBytes(&b)
		b[31] &= 0x7f
		return v, leToBig(b[:])
	}
	toBig := func(v *fe) *big.Int { b := v.bytes(); return leToBig(b[:]) }
	for range 2000 {
		a, ab := rnd()
		b, bb := rnd()
		var v fe
		feMul(&v, &a, &b)
		if want := new(big.Int).Mod(new(big.Int).Mul(ab, bb), p); toBig(&v).Cmp(want) != 0 {
			t.Fatalf("mul %v %v", ab, bb)
		}
		feSquare(&v, &a)
		if want := new(big.Int).Mod(new(big.Int).Mul(ab, ab), p); toBig(&v).Cmp(want) != 0 {
			t.Fatalf("square %v", ab)
		}
		feSub(&v, &a, &b)
		if want := new(big.Int).Mod(new(big.Int).Sub(ab, bb), p); toBig(&v).Cmp(want) != 0 {
			t.Fatalf("sub %v %v", ab, bb)
		}
		feAdd(&v, &a, &b)
		if want := new(big.Int).Mod(new(big.Int).Add(ab, bb), p); toBig(&v).Cmp(want) != 0 {
			t.Fatalf("add %v %v", ab, bb)
		}
		feInvert(&v, &a)
		if am := new(big.Int).Mod(ab, p); am.Sign() != 0 {
			if want := new(big.Int).ModInverse(am, p); toBig(&v).Cmp(want) != 0 {
				t.Fatalf("invert %v", ab)
			}
		}
	}
}

// sigCases returns signatures to check: valid ones, and ones broken in
// every way that matters (bit flips, S+l, other messages, other keys).
func sigCases(t testing.TB, r *rand.Rand, pub ed25519.PublicKey, priv ed25519.PrivateKey) (msgs [][]byte, sigs [][64]byte) {
	for i := range 40 {
		msg := make([]byte, r.IntN(200))
		for j := range msg {
			msg[j] = byte(r.Uint32())
		}
		sig := [64]byte(ed25519.Sign(priv, msg))
		msgs, sigs = append(msgs, msg), append(sigs, sig)
		bad := sig
		bad[r.IntN(64)] ^= 1 << r.IntN(8)
		msgs, sigs = append(msgs, msg), append(sigs, bad)
		other := append([]byte{byte(i)}, msg...)
		msgs, sigs = append(msgs, other), append(sigs, sig)
		// S + l: the same point, a non-canonical scalar.
		sl := leToBig(sig[32:])
		sl.Add(sl, order)
		if sl.BitLen() <= 256 {
			var be [32]byte
			sl.FillBytes(be[:])
			nc := sig
			for j := range 32 {
				nc[32+j] = be[31-j]
			}
			msgs, sigs = append(msgs, msg), append(sigs, nc)
		}
		// Random R and S.
		var rs [64]byte
		for j := range rs {
			rs[j] = byte(r.Uint32())
		}
		rs[63] &= 0x0f
		msgs, sigs = append(msgs, msg), append(sigs, rs)
	}
	return msgs, sigs
}

// Key.Verify gives crypto/ed25519's answer on valid and broken signatures.
func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 6 {
		var seed [32]byte
		for i := range seed {
			seed[i] = byte(r.Uint32())
		}
		priv := ed25519.NewKeyFromSeed(seed[:])
		pub := priv.Public().(ed25519.PublicKey)
		k, ok := NewKey((*[32]byte)(pub))
		if !ok {
			t.Fatal("NewKey failed on a real key")
		}
		msgs, sigs := sigCases(t, r, pub, priv)
		valid := 0
		for i := range msgs {
			want := ed25519.Verify(pub, msgs[i], sigs[i][:])
			if got := k.Verify(string(msgs[i]), &sigs[i]); got != want {
				t.Fatalf("sig %x msg %x: got %v, want %v", sigs[i], msgs[i], got, want)
			}
			if want {
				valid++
			}
		}
		if valid < 40 {
			t.Errorf("only %d valid signatures among the cases", valid)
		}
	}
}

// Public keys that are not curve points are refused, as crypto/ed25519
// refuses every signature by them; odd encodings that are points agree.
func TestKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	msg := []byte("message")
	var sig [64]byte
	for range 300 {
		var pk [32]byte
		for i := range pk {
			pk[i] = byte(r.Uint32())
		}
		for i := range sig {
			sig[i] = byte(r.Uint32())
		}
		sig[63] &= 0x0f
		k, ok := NewKey(&pk)
		want := ed25519.Verify(pk[:], msg, sig[:])
		if !ok {
			if want {
				t.Fatalf("%x: not a point, but crypto/ed25519 verified", pk)
			}
			continue
		}
		if got := k.Verify(string(msg), &sig); got != want {
			t.Fatalf("%x: got %v, want %v", pk, got, want)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	priv := ed25519.NewKeyFromSeed(make([]byte, 32))
	pub := priv.Public().(ed25519.PublicKey)
	msg := "1;/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a;sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr;168;"
	sig := [64]byte(ed25519.Sign(priv, []byte(msg)))
	k, _ := NewKey((*[32]byte)(pub))
	b.Run("table", func(b *testing.B) {
		for b.Loop() {
			if !k.Verify(string(msg), &sig) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("crypto/ed25519", func(b *testing.B) {
		for b.Loop() {
			if !ed25519.Verify(pub, []byte(msg), sig[:]) {
				b.Fatal("invalid")
			}
		}
	})
	b.Run("NewKey", func(b *testing.B) {
		base()
		for b.Loop() {
			NewKey((*[32]byte)(pub))
		}
	})
}
