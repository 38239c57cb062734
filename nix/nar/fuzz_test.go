package nar

import (
	"bytes"
	"crypto/sha256"
	"strings"
	"testing"
)

// FuzzReader: the Reader never panics, and whatever it accepts, written
// back with a Writer, is the input byte for byte. Validate agrees.
func FuzzReader(f *testing.F) {
	for _, name := range narVectors(f) {
		f.Add(readVector(f, name))
	}
	f.Add(dirNAR(entry("a", fileNode...), entry("b", dirNode...)))
	f.Add(narOf(magic, "(", "type", "symlink", "target", strings.Repeat("t", 100), ")"))
	f.Add(deepNAR(3))
	f.Fuzz(func(t *testing.T, nar []byte) {
		got, err := reserialize(nar)
		digest, size, verr := Validate(bytes.NewReader(nar))
		if (err == nil) != (verr == nil) {
			t.Fatalf("reserialize err = %v, Validate err = %v", err, verr)
		}
		if err != nil {
			if !isFormatError(err) {
				t.Fatalf("not a FormatError: %v", err)
			}
			if digest != [32]byte{} || size != 0 {
				t.Fatalf("Validate failed but returned %x %d", digest, size)
			}
			return
		}
		if !bytes.Equal(got, nar) {
			t.Fatalf("round trip differs:\n%x\nwant\n%x", got, nar)
		}
		if digest != sha256.Sum256(nar) || size != int64(len(nar)) {
			t.Fatalf("Validate = %x %d", digest, size)
		}
	})
}
