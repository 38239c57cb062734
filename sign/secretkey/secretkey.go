// Package secretkey implements Nix's secret signing keys: parsing and
// writing them, generating them, signing with them, and the policy a key
// file must meet before nixsign signs with it (see Load).
//
// A secret key file holds one line with no trailing newline,
//
//	<name> ":" base64std(seed(32) || public key(32))
//
// for example (a public test key pair, never to be used for anything else):
//
//	test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw==
//
// whose public key is
//
//	test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
//
// The 64 bytes are libsodium's (and Go's ed25519.PrivateKey) layout. Nix
// takes the public key from the second half without checking it against the
// seed, and signs with a key no public key verifies when they differ; Parse
// rejects such a key.
//
// Secret bytes never leave a Key except through Encode and Sign: String,
// GoString, Format and LogValue print "<name>:<secret>", and no error of
// this package contains any byte of a key.
//
// Signatures and public keys are crypto/ed25519's, byte for byte. A
// process's first few of them are computed without the table crypto/ed25519
// builds on first use (about 1.5 ms, most of a one-signature process's
// Ed25519 time; see tablefree.go), later ones by crypto/ed25519.
package secretkey

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/internal/nixkey"
)

// Size is the size of a secret key: a 32-byte seed and the 32-byte public
// key.
const Size = ed25519.PrivateKeySize

// Key is a named Ed25519 secret key. Use it through a pointer from Parse,
// Generate or Load; the zero Key is not usable.
type Key struct {
	name string
	// sk is behind a pointer so that printing a struct that holds a Key in
	// an unexported field shows an address, not the bytes.
	sk *[Size]byte
}

// parseError is a malformed key, with what the caller can do about it.
type parseError struct {
	msg  string
	kind int
}

const (
	corrupt = iota
	wrongLength
	publicKey
	mismatch
)

func (e *parseError) Error() string { return e.msg }

// Parse parses the contents of a secret key file with Nix's rules: the name
// is everything before the first ':' and must not be empty; the rest is
// decoded as Nix decodes base64 (it stops at the first '=', so a trailing
// newline is fine, and skips '\n') and must give 64 bytes. Beyond Nix, the
// second half must be the public key of the first.
//
// Errors say what is wrong and where, never what the bytes are.
func Parse(data []byte) (*Key, error) {
	name, b64, ok := nixkey.Split(data)
	switch {
	case !ok && bytes.HasPrefix(data, []byte(":")):
		return nil, &parseError{"secret key is corrupt: empty name before ':'", corrupt}
	case !ok:
		return nil, &parseError{"secret key is corrupt: no ':' (want NAME:BASE64)", corrupt}
	case len(b64) == 0:
		return nil, &parseError{"secret key is corrupt: nothing after ':'", corrupt}
	}
	buf := make([]byte, nixkey.DecodedLen(len(b64)))
	defer clear(buf)
	n, err := nixkey.Decode(buf, b64)
	if err != nil {
		var ce *nixkey.CharError
		if errors.As(err, &ce) {
			return nil, &parseError{"secret key is corrupt: invalid base64 character at offset " + strconv.Itoa(len(name)+1+ce.Offset), corrupt}
		}
		return nil, &parseError{"secret key is corrupt", corrupt}
	}
	switch n {
	case Size:
	case sign.PublicKeySize:
		return nil, &parseError{"secret key is not valid: this looks like a public key (32 bytes), and a secret key decodes to 64 bytes", publicKey}
	default:
		return nil, &parseError{fmt.Sprintf("secret key is not valid: it decodes to %d bytes, want %d", n, Size), wrongLength}
	}
	derived := publicKeyOf((*[ed25519.SeedSize]byte)(buf[:ed25519.SeedSize]))
	if subtle.ConstantTimeCompare(derived[:], buf[ed25519.SeedSize:Size]) != 1 {
		return nil, &parseError{"secret key is not valid: its public half is not the public key of its seed, so its signatures would verify under no public key", mismatch}
	}
	k := &Key{name: string(name), sk: new([Size]byte)}
	copy(k.sk[:], buf)
	return k, nil
}

// Generate returns a new key named name, with a seed read from rand
// (crypto/rand when rand is nil). The name must suit nix.conf
// (sign.ValidateNameForConf): non-empty, no ':', no whitespace, '#' or
// control characters. By convention it is "<host>-<n>", as in
// "cache.example.org-1".
func Generate(rand io.Reader, name string) (*Key, error) {
	if err := sign.ValidateNameForConf(name); err != nil {
		return nil, err
	}
	if rand == nil {
		rand = cryptoRand
	}
	var seed [ed25519.SeedSize]byte
	defer clear(seed[:])
	if _, err := io.ReadFull(rand, seed[:]); err != nil {
		return nil, fmt.Errorf("generating a key: %w", err)
	}
	k := &Key{name: name, sk: new([Size]byte)}
	copy(k.sk[:], seed[:])
	pub := publicKeyOf(&seed)
	copy(k.sk[ed25519.SeedSize:], pub[:])
	return k, nil
}

var cryptoRand = rand.Reader

// Name returns the key's name.
func (k *Key) Name() string { return k.name }

// Encode returns the contents of the key's file, "<name>:<base64>" with no
// trailing newline, as "nix key generate-secret" prints it. The result is
// secret.
func (k *Key) Encode() []byte {
	k.mustBeUsable()
	b64 := base64.StdEncoding
	out := make([]byte, len(k.name)+1+b64.EncodedLen(Size))
	copy(out, k.name)
	out[len(k.name)] = ':'
	b64.Encode(out[len(k.name)+1:], k.sk[:])
	return out
}

// Public returns the key's public half, under the same name.
func (k *Key) Public() sign.PublicKey {
	k.mustBeUsable()
	pk, err := sign.NewPublicKey(k.name, k.sk[ed25519.SeedSize:])
	if err != nil {
		panic("secretkey: " + err.Error()) // Parse and Generate check the name
	}
	return pk
}

// Sign returns the key's signature of fingerprint (see sign.Fingerprint).
// Ed25519 is deterministic: signing the same fingerprint twice gives the
// same signature, byte for byte the one Nix makes.
func (k *Key) Sign(fingerprint string) sign.Signature {
	k.mustBeUsable()
	sig, err := sign.NewSignature(k.name, signWith(k.sk, []byte(fingerprint)))
	if err != nil {
		panic("secretkey: " + err.Error())
	}
	return sig
}

func (k *Key) mustBeUsable() {
	if k.sk == nil {
		panic("secretkey: use of a Key not made by Parse, Generate or Load")
	}
}

// String returns "<name>:<secret>", so that printing a key by mistake shows
// which key it is and not the key.
func (k Key) String() string { return k.name + ":<secret>" }

// GoString is String for %#v.
func (k Key) GoString() string { return "secretkey.Key(" + strconv.Quote(k.String()) + ")" }

// Format makes every fmt verb print String (or GoString for %#v).
func (k Key) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, k.GoString())
	case verb == 'q':
		io.WriteString(f, strconv.Quote(k.String()))
	default:
		io.WriteString(f, k.String())
	}
}

// LogValue makes log/slog print String.
func (k Key) LogValue() slog.Value { return slog.StringValue(k.String()) }
