package sign

import (
	"strings"
)

// Redacted is what DisplayKeyText shows in place of the base64 of a secret
// key.
const Redacted = "<secret key, redacted>"

// NotAPath is what DisplayPath shows in place of a secret key given where a
// file path belongs.
const NotAPath = "<a secret key, not a file path>"

// SecretKeyAdvice is what to do about a secret key pasted where a file path
// belongs: it was typed on a command line or written into a configuration
// file, so it must be considered exposed.
const SecretKeyAdvice = "put the key in a file with mode 0600 and give that file's absolute path; treat this key as exposed and rotate it"

// LooksLikeSecretKey reports whether s looks like the text of a Nix secret
// key, "<name>:<base64>" whose base64 decodes to 64 bytes with Nix's rules
// (see ParsePublicKey), such as
//
//	test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw==
//
// It is lenient, so as to catch a key however it was pasted: surrounding
// whitespace and whitespace inside the base64 are ignored, the name may be
// empty, and the base64 alone (no ':') counts too unless it starts with '/',
// which makes it an absolute path. A 64-byte signature looks the same: it
// counts as a secret key, which only ever hides more.
//
// It never fails and keeps no copy of s.
func LooksLikeSecretKey(s string) bool {
	s = strings.Trim(s, " \t\r\n")
	rest := s
	if i := strings.IndexByte(s, ':'); i >= 0 {
		rest = s[i+1:]
	} else if strings.HasPrefix(s, "/") {
		return false
	}
	n := 0
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == '=':
			i = len(rest) // Nix stops at the first '='
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
		case isBase64(c):
			n++
		default:
			return false
		}
	}
	return n*6/8 == 64
}

func isBase64(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/'
}

// DisplayKeyText returns s, a key as a user or a configuration file gave
// it, in a form fit to print: s itself, or "<name>:<secret key, redacted>"
// when s looks like a secret key (LooksLikeSecretKey). Every key text that
// is printed (a trusted-public-keys entry, a command-line argument) goes
// through it, so that a secret key pasted where a public key belongs is
// never shown.
func DisplayKeyText(s string) string {
	if !LooksLikeSecretKey(s) {
		return s
	}
	name, _, ok := strings.Cut(strings.Trim(s, " \t\r\n"), ":")
	if !ok || name == "" {
		return Redacted
	}
	return name + ":" + Redacted
}

// DisplayPath returns p, a file path as a user or a configuration file gave
// it, or NotAPath when p looks like a secret key (LooksLikeSecretKey):
// a secret key pasted where the path of a key file belongs must not be
// echoed.
func DisplayPath(p string) string {
	if LooksLikeSecretKey(p) {
		return NotAPath
	}
	return p
}

// RedactSecrets returns the message s with every run of 86 or more base64
// characters (the length of a secret key's base64, "=" padding included
// after it) replaced by Redacted, for messages that quote text a user
// wrote, such as a configuration line Nix refuses: a secret key pasted
// there must not be shown. Shorter runs (public keys, hashes, paths) are
// kept.
func RedactSecrets(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); {
		if !isBase64(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isBase64(s[j]) {
			j++
		}
		if j-i < 86 {
			i = j
			continue
		}
		for j < len(s) && s[j] == '=' {
			j++
		}
		b.WriteString(s[last:i])
		b.WriteString(Redacted)
		last, i = j, j
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
