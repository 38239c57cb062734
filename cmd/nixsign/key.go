package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/cmd/internal/keycode"
	"github.com/nixsign/nixsign/internal/fsutil"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
	ucli "github.com/urfave/cli/v2"
	"golang.org/x/term"
)

var keyCommand = &ucli.Command{
	Name:  "key",
	Usage: "generate, convert and inspect Nix signing keys",
	Subcommands: []*ucli.Command{
		keyGenerateCommand,
		keyPublicCommand,
		keyInspectCommand,
	},
}

// keyGenerateCommand writes a new secret key. With --out it creates the
// file (mode 0600, never replacing one without --force) and prints the
// public key; without it, the secret goes to stdout as with
// `nix key generate-secret`, but never to a terminal.
var keyGenerateCommand = &ucli.Command{
	Name:  "generate",
	Usage: "generate a secret key (and print its public key)",
	Flags: []ucli.Flag{
		&ucli.StringFlag{Name: "name", Required: true, Usage: "key name, e.g. cache.example.org-1 (no ':' or whitespace)"},
		&ucli.StringFlag{Name: "out", Usage: "write the secret key to `FILE` (mode 0600) and print the public key"},
		&ucli.StringFlag{Name: "public-out", Usage: "also write the public key to `FILE` (mode 0644)"},
		&ucli.BoolFlag{Name: "force", Usage: "replace existing files"},
	},
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 0, 0); err != nil {
			return err
		}
		out, pubOut := c.String("out"), c.String("public-out")
		if out == "" && pubOut != "" {
			return diag.Usagef("key generate: --public-out needs --out")
		}
		if out == "" && isTerminal(c.App.Writer) {
			return diag.Usagef("key generate: refusing to show a secret key on the terminal; use --out FILE or redirect stdout")
		}
		k, err := secretkey.Generate(rand.Reader, c.String("name"))
		if err != nil {
			return diag.Wrap(diag.ExitUsage, fmt.Errorf("key generate: --name %q: %v", c.String("name"), err))
		}
		if out == "" {
			_, err := c.App.Writer.Write(k.Encode())
			return err
		}
		if err := writeKeyFiles(k, out, pubOut, c.Bool("force")); err != nil {
			return err
		}
		fmt.Fprintln(c.App.Writer, k.Public())
		return nil
	},
}

// writeKeyFiles writes the secret (and public) key files, checking both
// targets before writing either so a refusal leaves nothing behind.
func writeKeyFiles(k *secretkey.Key, out, pubOut string, force bool) error {
	if pubOut != "" && sameFile(out, pubOut) {
		return diag.Usagef("key generate: --out and --public-out name the same file, %s: the public key would replace the secret key", out)
	}
	for _, p := range []string{out, pubOut} {
		if p == "" || force {
			continue
		}
		if _, err := os.Lstat(p); err == nil {
			return keyFileError(&secretkey.FileError{Path: p, Kind: secretkey.Exists, Problem: "already exists",
				Fix: "refusing to overwrite a key; remove it first or use --force"})
		}
	}
	if err := secretkey.WriteFile(out, k.Encode(), force); err != nil {
		return keyFileError(err)
	}
	if pubOut != "" {
		if err := secretkey.WritePublicFile(pubOut, []byte(k.Public().String()), force); err != nil {
			return keyFileError(err)
		}
	}
	return nil
}

// sameFile reports whether the paths a and b name one file: the same path
// once made absolute and cleaned, the same name in one directory reached
// two ways (a symbolic link to a directory), or, when both exist, one file
// (a hard link, or a symbolic link to the other).
func sameFile(a, b string) bool {
	a, errA := filepath.Abs(a)
	b, errB := filepath.Abs(b)
	if errA != nil || errB != nil {
		return false
	}
	if a == b {
		return true
	}
	if filepath.Base(a) == filepath.Base(b) {
		da, errA := os.Stat(filepath.Dir(a))
		db, errB := os.Stat(filepath.Dir(b))
		if errA == nil && errB == nil && os.SameFile(da, db) {
			return true
		}
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

// maxKeyFile bounds what key public and key inspect read: a key file is
// about 100 bytes (as sign/secretkey bounds it).
const maxKeyFile = 64 << 10

// keyPublicCommand prints the public key of a secret key read from a file or
// stdin, like `nix key convert-secret-to-public`, after checking that the
// key's public half matches its seed.
var keyPublicCommand = &ucli.Command{
	Name:      "public",
	Usage:     "print the public key of a secret key (like nix key convert-secret-to-public)",
	ArgsUsage: "[FILE|-]",
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 0, 1); err != nil {
			return err
		}
		name := c.Args().First()
		var k *secretkey.Key
		if name == "" || name == "-" {
			data, err := io.ReadAll(io.LimitReader(os.Stdin, maxKeyFile+1))
			defer clear(data)
			switch {
			case err != nil:
				return diag.Wrap(diag.ExitIOErr, fmt.Errorf("stdin: %v", err))
			case len(data) > maxKeyFile:
				return diag.Wrap(diag.ExitDataErr, fmt.Errorf("stdin: more than %d bytes, which no key file holds", maxKeyFile))
			}
			if k, err = secretkey.Parse(data); err != nil {
				return diag.Wrap(diag.ExitDataErr, fmt.Errorf("stdin: %v", err))
			}
		} else {
			var err error
			if k, err = readSecretKey(c, name); err != nil {
				return err
			}
		}
		fmt.Fprintln(c.App.Writer, k.Public())
		return nil
	},
}

// readSecretKey reads the secret key file at path for key public, which
// accepts what Nix accepts: a loose mode, another owner and a symbolic link
// are warnings (the policy that signing enforces), a relative path is fine.
// What gives no key (a missing file, a directory, a named pipe, a device, a
// malformed key) is an error in the words of key inspect. The file is read
// as sign/secretkey reads it: without blocking, and at most 64 KiB.
func readSecretKey(c *ucli.Context, path string) (*secretkey.Key, error) {
	p := diag.Printer{Prog: "nixsign", W: c.App.ErrWriter}
	k, problems := secretkey.Inspect(path)
	for _, e := range problems {
		switch e.Kind {
		case secretkey.NotAbsolute, secretkey.UnusableName:
		case secretkey.TooOpen, secretkey.WrongOwner:
			p.Warnf("%v", e)
		case secretkey.Symlink:
			// Inspect does not follow it: read where it leads, which is
			// no link (EvalSymlinks resolved them all).
			target, err := filepath.EvalSymlinks(path)
			if err != nil {
				return nil, diag.Wrap(diag.ExitNoInput, e)
			}
			p.Warnf("%v", e)
			return readSecretKey(c, target)
		default:
			return nil, keyFileError(e)
		}
	}
	if k == nil { // a problem that left no key, such as a key given as the path
		if len(problems) == 0 {
			return nil, diag.Wrap(diag.ExitDataErr, fmt.Errorf("%s: no key", path))
		}
		return nil, keyFileError(problems[0])
	}
	return k, nil
}

// keyReport is what `key inspect` prints; it never holds secret material.
type keyReport struct {
	File      string   `json:"file"`
	Kind      string   `json:"kind"`
	Name      string   `json:"name,omitempty"`
	PublicKey string   `json:"publicKey,omitempty"`
	OK        bool     `json:"ok"`
	Problems  []string `json:"problems"`
}

var keyInspectCommand = &ucli.Command{
	Name:      "inspect",
	Usage:     "say what a key file holds and whether it meets the key-file policy (never prints a secret)",
	ArgsUsage: "FILE",
	Flags:     []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 1, 1); err != nil {
			return err
		}
		r, err := inspectKey(c.Args().First())
		if c.Bool("json") {
			enc := json.NewEncoder(c.App.Writer)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			if e := enc.Encode(r); e != nil {
				return e
			}
		} else {
			printKeyReport(c.App.Writer, r)
		}
		return err
	},
}

// inspectKey examines a file that should hold a secret or a public key.
// The error, if any, is the first problem, for the exit code.
func inspectKey(path string) (keyReport, error) {
	r := keyReport{File: sign.DisplayPath(path), Kind: "unknown", Problems: []string{}}
	if abs, err := filepath.Abs(path); err == nil && filepath.IsAbs(path) && !sign.LooksLikeSecretKey(path) {
		r.File = abs
	}
	k, problems := secretkey.Inspect(path)
	if k != nil {
		r.Kind, r.Name, r.PublicKey = "secret key", k.Name(), k.Public().String()
	} else if data, err := fsutil.ReadSmallFile(path, maxKeyFile); err == nil {
		if pk, err := sign.ParsePublicKey(strings.TrimRight(string(data), "\n")); err == nil {
			r.Kind, r.Name, r.PublicKey = "public key", pk.Name, pk.String()
			r.OK = true
			return r, nil
		}
	}
	var first error
	for _, p := range problems {
		r.Problems = append(r.Problems, p.Error())
		if first == nil {
			first = keyFileError(p)
		}
	}
	r.OK = len(problems) == 0
	return r, first
}

func printKeyReport(w io.Writer, r keyReport) {
	fmt.Fprintf(w, "file:       %s\n", r.File)
	fmt.Fprintf(w, "kind:       %s\n", r.Kind)
	if r.Name != "" {
		fmt.Fprintf(w, "name:       %s\n", r.Name)
		fmt.Fprintf(w, "public key: %s\n", r.PublicKey)
	}
	if r.OK {
		fmt.Fprintln(w, "checks:     ok")
		return
	}
	for i, p := range r.Problems {
		label := "problem:   "
		if i > 0 {
			label = "           "
		}
		fmt.Fprintf(w, "%s %s\n", label, p)
	}
}

// keyFileError gives a key-file error its exit code.
func keyFileError(err error) error { return keycode.Wrap(err) }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
