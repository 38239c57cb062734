package trust

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/nixsign/nixsign/sign"
)

// ReadKey returns the public key that arg stands for: the key itself,
// "NAME:BASE64", or the name of a file holding one (surrounding whitespace
// is ignored). A file that holds a secret key is refused without its
// contents being shown, and so is a secret key given as arg. The error wraps fs.ErrNotExist when arg is neither
// a key nor an existing file.
func ReadKey(arg string) (sign.PublicKey, error) {
	k, perr := sign.ParsePublicKey(arg)
	if perr == nil {
		return k, nil
	}
	if sign.LooksLikeSecretKey(arg) {
		return sign.PublicKey{}, perr // it is no file name, and must not be echoed
	}
	f, err := os.Open(arg)
	if err != nil {
		if strings.Contains(arg, ":") && !strings.Contains(arg, "/") {
			return sign.PublicKey{}, perr
		}
		if errors.Is(err, fs.ErrNotExist) {
			return sign.PublicKey{}, fmt.Errorf("%q is neither a public key (NAME:BASE64) nor a file: %w", arg, fs.ErrNotExist)
		}
		return sign.PublicKey{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return sign.PublicKey{}, fmt.Errorf("%s: %v", arg, err)
	}
	k, err = sign.ParsePublicKey(strings.TrimSpace(string(data)))
	if err != nil {
		return sign.PublicKey{}, fmt.Errorf("%s: %v", arg, err)
	}
	return k, nil
}
