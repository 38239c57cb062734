//go:build unix

package secretkey

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/nixsign/nixsign/sign"
)

// TestLoadPolicy: each broken key file is refused with one line that names
// the file, the problem and the fix, and shows no secret.
func TestLoadPolicy(t *testing.T) {
	good := readVector(t, "secret.key")
	k1 := mustParse(t, good)
	k2 := mustParse(t, readVector(t, "secret2.key"))
	mismatched := []byte("test-key-1:" + base64.StdEncoding.EncodeToString(append(append([]byte{}, k1.sk[:32]...), k2.sk[32:]...)))
	secrets := [][]byte{good, mismatched, readVector(t, "secret2.key")}
	pub := string(readVector(t, "public.key"))

	dir := t.TempDir()
	write := func(name string, data []byte, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // whatever the umask
			t.Fatal(err)
		}
		return p
	}
	target := write("target.key", good, 0o600)
	if resolved, err := filepath.EvalSymlinks(target); err == nil {
		target = resolved // macOS: /var is /private/var
	}
	link := filepath.Join(dir, "link.key")
	if err := os.Symlink("target.key", link); err != nil {
		t.Fatal(err)
	}
	dangling := filepath.Join(dir, "dangling.key")
	if err := os.Symlink("nowhere.key", dangling); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.key")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()

	type tc struct {
		name    string
		path    string
		kind    Kind
		problem string // substrings of the error, in order
		fix     string
	}
	cases := []tc{
		{"mismatched halves", write("mismatch.key", mismatched, 0o600), Malformed,
			"its public half is not the public key of its seed", "generate a new key pair"},
		{"wrong length", write("short.key", good[:len(good)-8], 0o600), Malformed,
			"it decodes to 60 bytes, want 64", "a secret key file holds NAME:BASE64"},
		{"public key", write("public.key", readVector(t, "public.key"), 0o600), Malformed,
			"this looks like a public key (32 bytes)", "not at the public key"},
		{"empty file", write("empty.key", nil, 0o600), Malformed, "is empty", "NAME:BASE64"},
		{"huge file", write("huge.key", bytes.Repeat(good, 1000), 0o600), Malformed, "larger than 65536 bytes", "secret key file"},
		{"relative path", "secret.key", NotAbsolute,
			"is a relative path, which resolves against whatever directory the signer happens to run in", "use an absolute path (from here it would be " + filepath.Join(dir, "secret.key") + ")"},
		{"tilde", "~/nixsign-test-nonexistent.key", NotAbsolute, "starts with '~', which is not expanded here", "write it as " + filepath.Join(home, "nixsign-test-nonexistent.key")},
		{"empty path", "", NotAbsolute, "no key file given", "absolute path"},
		{"group-readable", write("g.key", good, 0o640), TooOpen, "has mode 0640, wider than 0600", "run: chmod 600 " + filepath.Join(dir, "g.key")},
		{"world-readable", write("w.key", good, 0o644), TooOpen, "has mode 0644, wider than 0600", "run: chmod 600 " + filepath.Join(dir, "w.key")},
		{"executable", write("x.key", good, 0o700), TooOpen, "has mode 0700", "chmod 600"},
		{"symlink", link, Symlink, "is a symbolic link to " + target, "point the configuration at " + target + " itself"},
		{"dangling symlink", dangling, Symlink, "is a symbolic link to nowhere.key, which does not resolve", "point the configuration at the key file itself"},
		{"directory", dir, NotRegular, "is a directory, not a key file", "the secret key file itself"},
		{"fifo", fifo, NotRegular, "is not a regular file (a named pipe)", "secret key file"},
		{"missing", filepath.Join(dir, "missing.key"), Missing, "does not exist", "nixsign key generate"},
		{"parent not a directory", filepath.Join(target, "x"), Missing, "a parent is not a directory", "correct the path"},
		{"name with a space", write("space.key", append([]byte("my key"), good[len("test-key-1"):]...), 0o600), UnusableName,
			`key name "my key" contains whitespace, which nix.conf splits keys at, so no nix.conf can trust its signatures`, "generate a new key"},
	}
	if os.Getuid() == 0 {
		other := write("other.key", good, 0o600)
		if err := os.Chown(other, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, tc{"owned by another user", other, WrongOwner,
			"is owned by uid 12345, neither the current user (uid 0) nor root", "run: chown 0 " + other})
	} else {
		t.Log("not root: skipping the owner case")
	}
	t.Chdir(dir)
	write("secret.key", good, 0o600)

	for _, tt := range cases {
		k, err := Load(tt.path)
		var fe *FileError
		if !errors.As(err, &fe) || k != nil {
			t.Errorf("%s: Load = %v, %v; want a *FileError", tt.name, k, err)
			continue
		}
		msg := err.Error()
		if fe.Kind != tt.kind || fe.Path != tt.path {
			t.Errorf("%s: Kind %d, Path %q; want %d, %q", tt.name, fe.Kind, fe.Path, tt.kind, tt.path)
		}
		if strings.ContainsAny(msg, "\n\r") || strings.Count(msg, "; ") != 1 {
			t.Errorf("%s: error is not one line \"path: problem; fix\": %q", tt.name, msg)
		}
		want := displayPath(tt.path) + ": "
		if !strings.HasPrefix(msg, want) || !strings.Contains(msg, tt.problem) || !strings.Contains(msg, "; ") ||
			!strings.Contains(msg[strings.Index(msg, tt.problem):], tt.fix) {
			t.Errorf("%s: error %q\nwant %q, then %q, then %q", tt.name, msg, want, tt.problem, tt.fix)
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoSecret(t, tt.name+" "+verb, fmt.Sprintf(verb, err), secrets...)
			assertNoSecret(t, tt.name+" "+verb, fmt.Sprintf(verb, fe), secrets...)
		}
	}

	// The good files.
	for _, mode := range []os.FileMode{0o600, 0o400} {
		p := write(fmt.Sprintf("good-%o.key", mode), good, mode)
		k, err := Load(p)
		if err != nil || k.Public().String() != pub {
			t.Errorf("Load(%o) = %v, %v", mode, k, err)
		}
	}
}

// TestInspect reports every problem and still reads the key.
func TestInspect(t *testing.T) {
	good := readVector(t, "secret.key")
	pub := string(readVector(t, "public.key"))
	dir := t.TempDir()
	t.Chdir(dir)
	if err := os.WriteFile("k", good, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod("k", 0o644)
	k, problems := Inspect("k")
	if k == nil || len(problems) != 2 || problems[0].Kind != NotAbsolute || problems[1].Kind != TooOpen {
		t.Fatalf("Inspect = %v, %v", k, problems)
	}
	if k.Public().String() != pub {
		t.Errorf("Inspect read %v", k.Public())
	}
	if _, err := Load("k"); err != problems[0] && err.Error() != problems[0].Error() {
		t.Errorf("Load = %v, want the first problem %v", err, problems[0])
	}
	if _, problems := Inspect(filepath.Join(dir, "missing")); len(problems) != 1 || !errors.Is(problems[0], fs.ErrNotExist) {
		t.Errorf("Inspect(missing) = %v", problems)
	}
}

func TestKindString(t *testing.T) {
	if TooOpen.String() != "too-open" || Unwritable.String() != "unwritable" || Kind(0).String() != "Kind(0)" {
		t.Error(TooOpen, Unwritable, Kind(0))
	}
}

func TestDisplayPath(t *testing.T) {
	for in, want := range map[string]string{
		"/etc/nix/key": "/etc/nix/key",
		"/a b/key":     "/a b/key",
		"/a\nb":        `"/a\nb"`,
		"":             `""`,
		"/\xff":        `"/\xff"`,
		"/é/key":       "/é/key",
	} {
		if got := displayPath(in); got != want {
			t.Errorf("displayPath(%q) = %s, want %s", in, got, want)
		}
	}
	if got := shellQuote("/a b/it's"); got != `'/a b/it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}

// TestSecretAsPath: a secret key given where the path of its file belongs
// (sign --key-file "$(cat k.sec)", NIXSIGN_KEY_FILE=..., key inspect ...)
// is refused without being shown, with the advice to rotate it.
func TestSecretAsPath(t *testing.T) {
	good := readVector(t, "secret.key")
	b64 := good[bytes.IndexByte(good, ':')+1:]
	for _, path := range []string{string(good), string(good) + "\n", string(b64), "/etc/nix/" + string(good)} {
		k, problems := Inspect(path)
		if k != nil || len(problems) != 1 {
			t.Fatalf("Inspect(secret) = %v, %v", k, problems)
		}
		fe := problems[0]
		if fe.Kind != NotAbsolute || fe.Path != sign.NotAPath {
			t.Errorf("Kind %v, Path %q", fe.Kind, fe.Path)
		}
		want := "<a secret key, not a file path>: a secret key was given where the path of a key file belongs; " +
			"put the key in a file with mode 0600 and give that file's absolute path; treat this key as exposed and rotate it"
		if fe.Error() != want {
			t.Errorf("error %q\nwant  %q", fe, want)
		}
		_, err := Load(path)
		_, _, herr := PublicHalf(path)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoSecret(t, "Inspect "+verb, fmt.Sprintf(verb, problems), good)
			assertNoSecret(t, "Load "+verb, fmt.Sprintf(verb, err), good)
			assertNoSecret(t, "PublicHalf "+verb, fmt.Sprintf(verb, herr), good)
		}
		if !errors.As(herr, &fe) || fe.Kind != NotAbsolute {
			t.Errorf("PublicHalf(secret) = %v", herr)
		}
	}
	// A FileError made elsewhere with a secret as its path hides it too.
	fe := &FileError{Path: string(good), Kind: Missing, Problem: "does not exist", Fix: "correct the path"}
	assertNoSecret(t, "FileError", fe.Error(), good)
}

// TestPublicHalf: secret-key-files as Nix 2.8.0 reads them (observed with
// nix store verify --option secret-key-files FILE): a good key gives its
// public half; halves that do not match give the second half; a malformed
// file is an error Nix fails on; a file it cannot read is one it skips.
func TestPublicHalf(t *testing.T) {
	good := readVector(t, "secret.key")
	k1 := mustParse(t, good)
	k2 := mustParse(t, readVector(t, "secret2.key"))
	mismatched := []byte("test-key-1:" + base64.StdEncoding.EncodeToString(append(append([]byte{}, k1.sk[:32]...), k2.sk[32:]...)))
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil { // no policy here
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("good", link); err != nil {
		t.Fatal(err)
	}
	write("good", good)

	pk, mis, err := PublicHalf(link)
	if err != nil || mis || pk.String() != strings.TrimSpace(string(readVector(t, "public.key"))) {
		t.Errorf("good key (through a link): %v, %v, %v", pk, mis, err)
	}
	pk, mis, err = PublicHalf(write("newline", append(append([]byte{}, good...), '\n')))
	if err != nil || mis || !pk.Equal(k1.Public()) {
		t.Errorf("good key with a newline: %v, %v, %v", pk, mis, err)
	}
	pk, mis, err = PublicHalf(write("mismatched", mismatched))
	if err != nil || !mis || pk.Name != "test-key-1" || !bytes.Equal(pk.Bytes(), k2.Public().Bytes()) {
		t.Errorf("mismatched halves: %v, %v, %v; want test-key-1 with gbck-1's bytes", pk, mis, err)
	}
	for _, tc := range []struct {
		name string
		path string
		kind Kind
		msg  string
	}{
		{"short", write("short", []byte("test-key-1:AAAA")), Malformed, "secret key is not valid: it decodes to 3 bytes, want 64"},
		{"no colon", write("garbage", []byte("garbage")), Malformed, "secret key is corrupt"},
		{"empty", write("empty", nil), Malformed, "secret key is corrupt"},
		{"public key", write("public", readVector(t, "public.key")), Malformed, "looks like a public key"},
		{"huge", write("huge", bytes.Repeat(good, 1000)), Malformed, "larger than 65536 bytes"},
		{"missing", filepath.Join(dir, "missing"), Missing, "does not exist"},
		{"directory", dir, NotRegular, "is not a regular file"},
		{"fifo", fifo, NotRegular, "is not a regular file"},
	} {
		pk, mis, err := PublicHalf(tc.path)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Kind != tc.kind || !strings.Contains(err.Error(), tc.msg) || !pk.IsZero() || mis {
			t.Errorf("%s: %v, %v, %v; want kind %v, %q", tc.name, pk, mis, err, tc.kind, tc.msg)
			continue
		}
		assertNoSecret(t, tc.name, fmt.Sprintf("%v %+v", err, fe), good)
	}
}
