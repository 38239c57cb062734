package floxconf

import (
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/nixsign/nixsign/sign"
)

// Validate checks a value of publish.signing_private_key against what flox
// and Nix do with it, and returns warnings for values that are accepted but
// will not work as meant. Errors and warnings name src. It reports:
//
//   - an empty value: flox passes "secret-key=" and Nix signs nothing;
//   - a secret key itself instead of the path of its file
//     (sign.LooksLikeSecretKey): the error shows sign.NotAPath, never the
//     value, and says to rotate the key;
//   - "~": neither flox nor Nix expands it;
//   - a relative path: Nix opens it from the directory `flox publish` runs in;
//   - control characters or invalid UTF-8, which no sane key path has;
//   - (warning) a space: flox's URL encoder turns it into '+', which Nix
//     does not decode, so Nix opens another file ("/a b/k" becomes "/a+b/k").
//
// Validate does not look at the file itself; sign/secretkey does. No error
// or warning contains a value that looks like a secret key.
func Validate(value string, src Source) (warnings []string, err error) {
	switch {
	case value == "":
		return nil, src.Errorf("empty path: Nix would sign nothing; use the absolute path of a secret key file")
	case sign.LooksLikeSecretKey(value):
		return nil, src.Errorf("%s: %s", sign.NotAPath, sign.SecretKeyAdvice)
	case !utf8.ValidString(value):
		return nil, src.Errorf("path is not valid UTF-8")
	case hasControl(value) || strings.ContainsRune(value, '\t'):
		return nil, src.Errorf("path %q contains a control character", value)
	case strings.HasPrefix(value, "~"):
		return nil, src.Errorf("path %q starts with ~: neither flox nor Nix expands it; write the home directory out in full", value)
	case !filepath.IsAbs(value):
		return nil, src.Errorf("relative path %q: flox resolves it against the directory `flox publish` runs in; use an absolute path such as /path/to/%s",
			value, filepath.Base(value))
	}
	if strings.Contains(value, " ") {
		warnings = append(warnings, src.Errorf("path %q contains a space: flox puts it in the upload URL with the space encoded as '+', which Nix does not decode, so Nix opens %q; use a path without spaces",
			value, strings.ReplaceAll(value, " ", "+")).Error())
	}
	return warnings, nil
}
