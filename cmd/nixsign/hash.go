package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/nar"
	ucli "github.com/urfave/cli/v2"
)

// hashCommand prints the NAR hash of each path, like `nix hash path`: one
// line per path, in order, SRI unless another encoding is asked for; the
// other encodings are bare digests, as Nix prints them (--base32 is the
// 52-character nixbase32 string, without narinfo's "sha256:" prefix).
// Paths are hashed concurrently on all cores.
var hashCommand = &ucli.Command{
	Name:      "hash",
	Usage:     "print the NAR hash of paths, like nix hash path",
	ArgsUsage: "PATH...",
	Flags: []ucli.Flag{
		&ucli.BoolFlag{Name: "base32", Usage: "print the bare nixbase32 digest (52 characters), like nix hash path --base32"},
		&ucli.BoolFlag{Name: "base16", Usage: "print the bare lowercase hexadecimal digest, like nix hash path --base16"},
		&ucli.BoolFlag{Name: "base64", Usage: "print the bare base64 digest, like nix hash path --base64"},
		&ucli.BoolFlag{Name: "sri", Usage: "print sha256-<base64> (the default)"},
		&ucli.BoolFlag{Name: "size", Usage: "also print the NAR size in bytes after the hash"},
	},
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 1, -1); err != nil {
			return err
		}
		format, err := hashFormat(c)
		if err != nil {
			return err
		}
		var failed error
		for _, r := range nar.HashAll(c.Args().Slice(), 0) {
			if r.Err != nil {
				r.Err = pathError(r.Path, r.Err)
				if failed == nil {
					failed = r.Err
				} else {
					diag.Printer{Prog: "nixsign", W: c.App.ErrWriter}.Errorf("%v", r.Err)
				}
				continue
			}
			line := format(hash.SHA256Sum(r.Digest))
			if c.Bool("size") {
				line += fmt.Sprintf(" %d", r.Size)
			}
			fmt.Fprintln(c.App.Writer, line)
		}
		return failed
	},
}

// pathError names the path an I/O error is about once, as "PATH: problem".
func pathError(path string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if pe.Path == path {
			return fmt.Errorf("%s: %w", path, pe.Err)
		}
		return fmt.Errorf("%s: %s: %w", path, pe.Path, pe.Err)
	}
	return fmt.Errorf("%s: %w", path, err)
}

// hashFormat returns the encoder the flags ask for.
func hashFormat(c *ucli.Context) (func(hash.Hash) string, error) {
	var picked []string
	format := hash.Hash.SRI
	for _, f := range []struct {
		name string
		fn   func(hash.Hash) string
	}{
		{"base32", hash.Hash.Nix32},
		{"base16", hash.Hash.Base16},
		{"base64", hash.Hash.Base64},
		{"sri", hash.Hash.SRI},
	} {
		if c.Bool(f.name) {
			picked = append(picked, "--"+f.name)
			format = f.fn
		}
	}
	if len(picked) > 1 {
		return nil, diag.Usagef("hash: %s and %s exclude each other", picked[0], picked[1])
	}
	return format, nil
}
