package main

import (
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign/secretkey"
	ucli "github.com/urfave/cli/v2"
)

// pushCommand copies paths with their closure into a binary cache, each
// narinfo signed, like `nix copy --to 'file:///DIR?secret-key=FILE'`:
// references first, the signatures the paths already have kept, paths the
// cache has skipped, NARs streamed and compressed on every core. Like nix
// copy it always copies the whole closure (a cache whose narinfo names
// references it lacks is of no use to a substituter), so -r changes nothing
// and is accepted for symmetry with sign and verify.
//
// It ends with one line on stderr saying what was copied and what the
// cache had already; --json prints the same on stdout for scripts, also
// when the push stops at an error (what was committed before it).
var pushCommand = &ucli.Command{
	Name:      "push",
	Usage:     "copy paths and their closure into a binary cache, signed, like nix copy --to file://",
	ArgsUsage: "PATH...",
	Flags: []ucli.Flag{
		&ucli.StringFlag{Name: "to", Required: true, Usage: "the binary cache, `file:///DIR` (created if missing)"},
		&ucli.StringFlag{Name: "key-file", Required: true, Usage: "the secret key, an absolute `FILE` (mode 0600 or narrower)"},
		&ucli.StringFlag{Name: "compression", Value: "zstd", Usage: "compression of the NAR files: zstd, xz or none"},
		storeFlag(),
		recursiveFlag("accepted for symmetry: push always copies the closure"),
		&ucli.BoolFlag{Name: "json", Usage: "print the paths copied and skipped as JSON"},
		verboseFlag(),
	},
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 1, -1); err != nil {
			return err
		}
		to := c.String("to")
		if !strings.HasPrefix(to, "file://") {
			return diag.Usagef("push: --to %q: want file:///DIR", to)
		}
		comp, err := cache.ParseCompression(c.String("compression"))
		if err != nil {
			return diag.Usagef("push: --compression: %v", err)
		}
		key, err := secretkey.Load(c.String("key-file"))
		if err != nil {
			return keyFileError(err)
		}
		ctx := c.Context
		src, err := openStore(c, false)
		if err != nil {
			return err
		}
		defer src.Close()
		dst, err := cache.Open(to, src.Dir(), true)
		if err != nil {
			return storeError(c, err)
		}
		paths, err := store.ResolveAll(src, c.Args().Slice())
		if err != nil {
			return diag.Wrap(diag.ExitNoInput, err)
		}
		prog := newProgress(c.App.ErrWriter, "pushing", 1)
		res, err := store.Push(ctx, src, dst, key, paths, store.PushOptions{
			Compression: comp,
			Progress:    func(p store.PushProgress) { prog.update(p.Done, p.Total, p.Bytes, p.TotalBytes) },
		})
		prog.finish()
		if err == nil || len(res.Pushed) > 0 {
			fmt.Fprintf(c.App.ErrWriter, "copied %s (%s of NAR) to %s; %s there already\n",
				plural(len(res.Pushed), "path"), humanBytes(res.Bytes), to, plural(len(res.Skipped), "was"))
		}
		if c.Bool("json") {
			if jerr := writeJSON(c.App.Writer, newPushedJSON(to, res)); jerr != nil && err == nil {
				err = jerr
			}
		}
		return storeError(c, err)
	},
}

// pushedJSON is the output of push --json.
type pushedJSON struct {
	To       string   `json:"to"`
	Pushed   []string `json:"pushed"`   // copied, in the order they were committed
	Skipped  []string `json:"skipped"`  // the cache had them already
	NarBytes int64    `json:"narBytes"` // bytes of NAR copied, before compression
}

func newPushedJSON(to string, res store.PushResult) pushedJSON {
	j := pushedJSON{To: to, Pushed: res.Pushed, Skipped: res.Skipped, NarBytes: res.Bytes}
	if j.Pushed == nil {
		j.Pushed = []string{}
	}
	if j.Skipped == nil {
		j.Skipped = []string{}
	}
	return j
}

// plural returns "1 path", "2 paths"; "1 was", "2 were".
func plural(n int, word string) string {
	switch {
	case n == 1:
		return "1 " + word
	case word == "was":
		return fmt.Sprintf("%d were", n)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
