package trust

import (
	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/sign"
)

// Nothing the checker prints shows a secret key pasted where a public key
// or a path belongs: key entries go through sign.DisplayKeyText, paths
// through sign.DisplayPath, messages of Nix's and nixconf's through
// sign.RedactSecrets, and diffs of nix.conf through redactSecrets.

// redactSecrets returns data with each word (a run of bytes between
// whitespace) that looks like a secret key shown as sign.DisplayKeyText
// shows it, and any other run of base64 long enough to be one redacted
// (sign.RedactSecrets): a diff must not print a secret key pasted into
// nix.conf.
func redactSecrets(data []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
	var out []byte
	for i := 0; i < len(data); {
		j := i
		for j < len(data) && isSpace(data[j]) == isSpace(data[i]) {
			j++
		}
		switch w := string(data[i:j]); {
		case isSpace(data[i]):
			out = append(out, w...)
		case sign.LooksLikeSecretKey(w):
			out = append(out, sign.DisplayKeyText(w)...)
		default: // "KEY#comment", "'KEY'"...
			out = append(out, sign.RedactSecrets(w)...)
		}
		i = j
	}
	return out
}

// pathTexts returns the entries of a list of paths, fit to print.
func pathTexts(items []nixconf.Item) []string {
	var s []string
	for _, it := range items {
		s = append(s, sign.DisplayPath(it.Text))
	}
	return s
}

// keyTexts returns the entries of a list of keys, fit to print.
func keyTexts(s []string) []string {
	out := make([]string, len(s))
	for i, t := range s {
		out[i] = sign.DisplayKeyText(t)
	}
	return out
}
