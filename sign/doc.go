// Package sign implements the public side of Nix's path signatures: public
// keys, signatures, the fingerprint that is signed, verification, trust sets
// and the counting rules of "nix store verify". It holds no secret keys; those
// are in package secretkey, which a verifier need not link.
//
// # Formats
//
// A public key and a signature are both "<name>:<base64>", with standard
// padded base64 of 32 key bytes or 64 signature bytes (Ed25519):
//
//	test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
//	test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw==
//
// What gets signed is a store path's fingerprint,
//
//	"1;" <store path> ";" "sha256:" <nix32 NAR hash> ";" <NAR size> ";" <references, sorted, joined by ",">
//
// for example (a file path with no references, so the line ends in ";"):
//
//	1;/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh;sha256:183p8jhjfcpk6kac6hxwp4gzp9brkvkibylz27jfbvgd5kqcq2jy;168;
//
// The signature above is test-key-1's signature of that fingerprint.
//
// # Nix's leniency
//
// ParsePublicKey and ParseSignature accept exactly what Nix 2.8.0 accepts, so
// that a key Nix trusts is a key nixsign trusts: the text is split at the first
// ':', and the base64 decoder stops at the first '=' (ignoring what follows),
// skips '\n', needs no padding and drops leftover bits. Such text is not
// canonical: k.String() differs from it. Compare the two to find keys worth
// rewriting; String always returns the canonical form and parses back to the
// same value.
//
// Verification follows libsodium's crypto_sign_verify_detached, which Nix
// calls: besides the Ed25519 equation it rejects public keys and signature
// points of small order and non-canonical public keys, which Go's
// crypto/ed25519 accepts.
//
// # Trust
//
// A signature is only ever checked against the key of its own name. A
// signature by a name the key set lacks is skipped, not an error; one by a
// known name that does not decode to 64 bytes is an error, because Nix
// throws there. CountValid and Trusted apply the rules of Nix's
// checkSignatures and "nix store verify"; TrustedWith adds the signatures
// that other stores hold for the same path ("nix store verify -s"); see
// their documentation.
package sign
