package sign

import (
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
)

// SignatureSize is the size of an Ed25519 signature.
const SignatureSize = ed25519.SignatureSize

// Signature is a detached Ed25519 signature with the name of the key that
// made it. Signatures are stored and counted as strings (see PathInfo.Sigs);
// Signature is the parsed form.
type Signature struct {
	KeyName string
	sig     [SignatureSize]byte
}

// NewSignature returns the signature by the key named keyName with the
// given 64 bytes.
func NewSignature(keyName string, sig []byte) (Signature, error) {
	if err := ValidateName(keyName); err != nil {
		return Signature{}, err
	}
	if len(sig) != SignatureSize {
		return Signature{}, fmt.Errorf("signature is not valid: %d bytes, want %d", len(sig), SignatureSize)
	}
	s := Signature{KeyName: keyName}
	copy(s.sig[:], sig)
	return s, nil
}

// ParseSignature parses "<keyname>:<base64>" with Nix's rules (those of
// ParsePublicKey) into a signature of 64 bytes.
//
// It is stricter than Nix's verifyDetached in one way, by necessity: Nix
// treats a signature with no name as one by the unknown key "" and skips it,
// and never decodes a signature by a key it does not have. ParseSignature
// rejects both. To reproduce Nix's outcome for a stored signature string,
// use KeySet.VerifyString.
func ParseSignature(s string) (Signature, error) {
	var buf [SignatureSize]byte
	name, n, err := parse(s, "signature", buf[:])
	if err != nil {
		return Signature{}, err
	}
	if n != SignatureSize {
		return Signature{}, fmt.Errorf("signature by %q is not valid: it decodes to %d bytes, want %d", name, n, SignatureSize)
	}
	sig := Signature{KeyName: name}
	copy(sig.sig[:], buf[:])
	return sig, nil
}

// String returns the signature as Nix writes it, "<keyname>:<padded base64>".
func (s Signature) String() string {
	return s.KeyName + ":" + base64.StdEncoding.EncodeToString(s.sig[:])
}

// Bytes returns a copy of the 64 signature bytes.
func (s Signature) Bytes() []byte { return append([]byte(nil), s.sig[:]...) }

// IsZero reports whether s is the zero Signature.
func (s Signature) IsZero() bool { return s == Signature{} }
