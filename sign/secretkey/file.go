package secretkey

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/internal/nixkey"
)

// Kind says which rule a key file breaks, for callers that map problems to
// exit codes or advice.
type Kind int

// The problems Load, Inspect, WriteFile and WritePublicFile report.
const (
	NotAbsolute  Kind = iota + 1 // the path is relative (or empty)
	Missing                      // the file does not exist
	Symlink                      // the path is a symbolic link
	NotRegular                   // a directory, device, FIFO or socket
	WrongOwner                   // owned by someone other than the current user or root
	TooOpen                      // mode wider than 0600
	Unreadable                   // the file cannot be read
	Malformed                    // the contents are not a valid secret key
	UnusableName                 // the key's name cannot be listed in nix.conf
	Exists                       // WriteFile without force: the file exists
	Unwritable                   // WriteFile failed
)

var kindNames = [...]string{"", "not-absolute", "missing", "symlink", "not-regular", "wrong-owner", "too-open",
	"unreadable", "malformed", "unusable-name", "exists", "unwritable"}

// String returns a short name for k, such as "too-open", for machine-readable
// output.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// FileError is a key file that breaks the policy or cannot be used. It
// renders as one line, "<path>: <problem>; <fix>", and never contains any
// byte of a key: when the "path" given is a secret key itself
// (sign.LooksLikeSecretKey), Path is sign.NotAPath.
type FileError struct {
	Path    string
	Kind    Kind
	Problem string // what is wrong, e.g. "has mode 0644, wider than 0600"
	Fix     string // what to do, e.g. "run: chmod 600 /etc/nix/key"
	Err     error  // the underlying error, if any
}

func (e *FileError) Error() string { return displayPath(e.Path) + ": " + e.Problem + "; " + e.Fix }

// Unwrap returns the underlying error, such as fs.ErrNotExist.
func (e *FileError) Unwrap() error { return e.Err }

// displayPath quotes a path that would not print as one plain line, and
// hides one that is a secret key.
func displayPath(p string) string {
	if sign.LooksLikeSecretKey(p) {
		return sign.NotAPath
	}
	if p == "" || !utf8.ValidString(p) || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return strconv.Quote(p)
	}
	return p
}

// maxFileSize bounds what Load reads: a key file is about 100 bytes.
const maxFileSize = 64 << 10

// Load reads the secret key file at path after checking that the file is
// fit to hold one. The first problem found is returned as a *FileError:
//
//   - the path must be absolute: a relative one resolves against whatever
//     directory the signer happens to run in. A secret key given instead of
//     the path of its file is refused without being shown (NotAbsolute,
//     with the advice to rotate it);
//   - it must name a regular file, not a symbolic link (Load opens it with
//     O_NOFOLLOW and says where the link leads) or a directory;
//   - the file must be owned by the current user or root, and its mode must
//     be no wider than 0600. These are read from the opened file (fstat),
//     never inferred from whether a read fails: root reads anything;
//   - it must parse (see Parse), including the check that its public half
//     matches its seed;
//   - the key's name must be usable in nix.conf (sign.ValidateNameForConf),
//     or nobody could trust its signatures.
func Load(path string) (*Key, error) {
	k, problems := Inspect(path)
	if len(problems) > 0 {
		return nil, problems[0]
	}
	return k, nil
}

// Inspect checks the key file at path against Load's policy and reports
// every problem it finds, in Load's order. It reads the key whenever it can
// (even from a relative path or a file with a loose mode), for reporting:
// sign only with a key from Load.
func Inspect(path string) (*Key, []*FileError) {
	var problems []*FileError
	add := func(kind Kind, problem, fix string, err error) {
		problems = append(problems, &FileError{Path: path, Kind: kind, Problem: problem, Fix: fix, Err: err})
	}
	if path == "" {
		add(NotAbsolute, "no key file given", "set the absolute path of the secret key file", nil)
		return nil, problems
	}
	if sign.LooksLikeSecretKey(path) {
		return nil, []*FileError{secretAsPath()}
	}
	if !filepath.IsAbs(path) {
		problem, fix := relativeAdvice(path)
		add(NotAbsolute, problem, fix, nil)
	}

	f, err := openNoFollow(path)
	if err != nil {
		add(openProblem(path, err))
		return nil, problems
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		add(Unreadable, "cannot be examined: "+errText(err), "check the file", err)
		return nil, problems
	}
	if !fi.Mode().IsRegular() {
		if fi.IsDir() {
			add(NotRegular, "is a directory, not a key file", "give the path of the secret key file itself", nil)
		} else {
			add(NotRegular, "is not a regular file ("+fileType(fi.Mode())+")", "give the path of a secret key file", nil)
		}
		return nil, problems
	}
	if uid, ok := fileOwner(fi); ok && uid != os.Getuid() && uid != 0 {
		add(WrongOwner, fmt.Sprintf("is owned by uid %d, neither the current user (uid %d) nor root", uid, os.Getuid()),
			fmt.Sprintf("run: chown %d %s", os.Getuid(), shellQuote(path)), nil)
	}
	if mode := permBits(fi); mode&^0o600 != 0 {
		add(TooOpen, fmt.Sprintf("has mode %04o, wider than 0600: a secret key must be private to its owner", mode),
			"run: chmod 600 "+shellQuote(path), nil)
	}

	buf, data, err := readBounded(f)
	defer clear(buf)
	switch {
	case err != nil:
		add(Unreadable, "cannot be read: "+errText(err), "check the file", err)
		return nil, problems
	case len(data) > maxFileSize:
		add(Malformed, fmt.Sprintf("is larger than %d bytes, which no key file is", maxFileSize),
			"give the path of the secret key file", nil)
		return nil, problems
	}
	if len(data) == 0 {
		add(Malformed, "is empty", "a secret key file holds NAME:BASE64 as written by nixsign key generate or nix key generate-secret", nil)
		return nil, problems
	}
	k, err := Parse(data)
	if err != nil {
		add(Malformed, err.Error(), parseFix(err), err)
		return nil, problems
	}
	if err := sign.ValidateNameForConf(k.Name()); err != nil {
		add(UnusableName, err.Error()+", so no nix.conf can trust its signatures",
			"generate a new key with a name such as host-1 (nixsign key generate --name NAME)", err)
	}
	return k, problems
}

// secretAsPath is the problem of a secret key given where the path of its
// file belongs.
func secretAsPath() *FileError {
	return &FileError{Path: sign.NotAPath, Kind: NotAbsolute,
		Problem: "a secret key was given where the path of a key file belongs", Fix: sign.SecretKeyAdvice}
}

func parseFix(err error) string {
	var pe *parseError
	if errors.As(err, &pe) {
		switch pe.kind {
		case publicKey:
			return "point the configuration at the secret key file, not at the public key"
		case mismatch:
			return "the file is damaged or was assembled by hand: generate a new key pair (nixsign key generate)"
		}
	}
	return "a secret key file holds NAME:BASE64 as written by nixsign key generate or nix key generate-secret"
}

func relativeAdvice(path string) (problem, fix string) {
	if home, err := os.UserHomeDir(); err == nil && (path == "~" || strings.HasPrefix(path, "~/")) {
		abs := filepath.Join(home, path[1:])
		return "starts with '~', which is not expanded here", "write it as " + displayPath(abs)
	}
	problem = "is a relative path, which resolves against whatever directory the signer happens to run in"
	if abs, err := filepath.Abs(path); err == nil {
		return problem, "use an absolute path (from here it would be " + displayPath(abs) + ")"
	}
	return problem, "use an absolute path"
}

func openProblem(path string, err error) (Kind, string, string, error) {
	switch {
	case isLoop(err):
		target, ok := linkTarget(path)
		if !ok {
			return Symlink, "is a symbolic link to " + displayPath(target) + ", which does not resolve",
				"point the configuration at the key file itself", err
		}
		return Symlink, "is a symbolic link to " + displayPath(target),
			"point the configuration at " + displayPath(target) + " itself", err
	case errors.Is(err, fs.ErrNotExist):
		return Missing, "does not exist", "create it (nixsign key generate --name NAME --out PATH) or correct the path", err
	case isNotDir(err):
		return Missing, "does not exist: a parent is not a directory", "correct the path", err
	case errors.Is(err, fs.ErrPermission):
		return Unreadable, fmt.Sprintf("cannot be read by uid %d: permission denied", os.Getuid()),
			"run as the file's owner or as root", err
	}
	return Unreadable, "cannot be opened: " + errText(err), "check the file", err
}

// linkTarget returns where the symbolic link at path finally leads, as an
// absolute path, or (ok false) what it holds when that does not resolve.
func linkTarget(path string) (target string, ok bool) {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		if abs, err := filepath.Abs(target); err == nil {
			target = abs
		}
		return target, true
	}
	target, _ = os.Readlink(path)
	return target, false
}

// errText is err's message without the path, which FileError prints first.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

func fileType(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "not a file"
}

// shellQuote quotes p for a command line when it needs it.
func shellQuote(p string) string {
	if p != "" && strings.Trim(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=:@,") == "" {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}

// readBounded reads up to maxFileSize+1 bytes of f into one buffer, which
// the caller clears: growing a buffer as io.ReadAll does would leave copies
// of the key behind.
func readBounded(f *os.File) (buf, data []byte, err error) {
	buf = make([]byte, maxFileSize+1)
	n, err := io.ReadFull(f, buf)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		err = nil
	}
	return buf, buf[:n], err
}

// PublicHalf reads the secret key file at path as Nix 2.8.0 reads a
// secret-key-files entry, whose public half it trusts
// (getDefaultPublicKeys): it follows symbolic links and applies none of
// Load's policy. It returns the key's public half as Nix takes it, the
// second 32 bytes of the key; mismatched reports that they are not the
// public key of the seed, which Parse refuses and Nix does not check.
//
// The error is a *FileError of Kind Malformed for a file Nix fails on (it
// throws, and the command fails); of another Kind for a file Nix skips: it
// does not exist, cannot be read, or is not a regular file (Nix reads a
// FIFO or a device; PublicHalf does not). At most 64 KiB are read, and the
// secret bytes are cleared before PublicHalf returns.
func PublicHalf(path string) (pk sign.PublicKey, mismatched bool, err error) {
	fail := func(kind Kind, problem, fix string, err error) (sign.PublicKey, bool, error) {
		return sign.PublicKey{}, false, &FileError{Path: path, Kind: kind, Problem: problem, Fix: fix, Err: err}
	}
	if sign.LooksLikeSecretKey(path) {
		return sign.PublicKey{}, false, secretAsPath()
	}
	// Stat first, so that a FIFO is not opened (which would block).
	if fi, err := os.Stat(path); err != nil {
		return fail(openProblem(path, err))
	} else if !fi.Mode().IsRegular() {
		return fail(NotRegular, "is not a regular file", "give the path of a secret key file", nil)
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(openProblem(path, err))
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return fail(NotRegular, "is not a regular file", "give the path of a secret key file", err)
	}
	buf, data, err := readBounded(f)
	defer clear(buf)
	switch {
	case err != nil:
		return fail(Unreadable, "cannot be read: "+errText(err), "check the file", err)
	case len(data) > maxFileSize:
		return fail(Malformed, fmt.Sprintf("is larger than %d bytes, which no key file is", maxFileSize),
			"give the path of the secret key file", nil)
	}
	k, err := Parse(data)
	if err == nil {
		defer clear(k.sk[:])
		return k.Public(), false, nil
	}
	var pe *parseError
	if !errors.As(err, &pe) || pe.kind != mismatch {
		return fail(Malformed, err.Error(), parseFix(err), err)
	}
	// Nix takes the second half as it is.
	name, b64, _ := nixkey.Split(data)
	dec := make([]byte, nixkey.DecodedLen(len(b64)))
	defer clear(dec)
	if n, derr := nixkey.Decode(dec, b64); derr != nil || n != Size {
		return fail(Malformed, err.Error(), parseFix(err), err) // Parse decoded it: not reached
	}
	pk, perr := sign.NewPublicKey(string(name), dec[Size-sign.PublicKeySize:Size])
	if perr != nil {
		return fail(Malformed, perr.Error(), parseFix(perr), perr)
	}
	return pk, true, nil
}
