package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"syscall"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/internal/fsutil"
	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/store"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
	ucli "github.com/urfave/cli/v2"
)

// signCommand signs store paths like `nix store sign --key-file`: the key
// is checked against the key-file policy before the store is touched, the
// path info (NAR hash, size, references) comes from the store, and the
// signatures the paths lack are added there. With the files store, which
// keeps no signatures, each is printed as "PATH<TAB>SIG" instead; auto
// never falls back to it while Nix is installed (see openStore).
var signCommand = &ucli.Command{
	Name:      "sign",
	Usage:     "sign store paths with a secret key, like nix store sign",
	ArgsUsage: "PATH...",
	Flags: []ucli.Flag{
		&ucli.StringFlag{Name: "key-file", Required: true, Usage: "the secret key, an absolute `FILE` (mode 0600 or narrower)"},
		storeFlag(),
		recursiveFlag("also sign every path the given paths refer to, directly or not"),
		&ucli.BoolFlag{Name: "json", Usage: "print what was signed as JSON"},
		verboseFlag(),
	},
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 1, -1); err != nil {
			return err
		}
		key, err := secretkey.Load(c.String("key-file"))
		if err != nil {
			return keyFileError(err)
		}
		ctx := c.Context
		s, err := openStore(c, false)
		if err != nil {
			return err
		}
		defer s.Close()
		infos, err := pathInfos(ctx, c, s)
		if err != nil {
			return storeError(c, err)
		}
		res, err := store.SignInfos(ctx, s, key, infos)
		if err := printSigned(c, s, res, err); err != nil {
			return err
		}
		return storeError(c, err)
	},
}

// signedJSON is one path in the output of sign --json.
type signedJSON struct {
	Path       string   `json:"path"`
	NarHash    string   `json:"narHash"`
	NarSize    uint64   `json:"narSize"`
	References []string `json:"references"`
	Signature  string   `json:"signature"`
	Added      bool     `json:"added"`
	Recorded   bool     `json:"recorded"`
}

// printSigned prints the outcome of signing; err is the run's error, if any.
func printSigned(c *ucli.Context, s store.Store, res []store.Signed, err error) error {
	added, recorded := 0, len(res) > 0
	for _, r := range res {
		if r.Added {
			added++
		}
		recorded = recorded && r.Recorded
	}
	if c.Bool("json") {
		out := make([]signedJSON, 0, len(res))
		for _, r := range res {
			out = append(out, signedJSON{
				Path: r.Info.Path.Abs(s.Dir()), NarHash: r.Info.NarHash.SRI(), NarSize: r.Info.NarSize,
				References: refPaths(s.Dir(), r.Info), Signature: r.Sig, Added: r.Added, Recorded: r.Recorded,
			})
		}
		if err := writeJSON(c.App.Writer, out); err != nil {
			return err
		}
	} else if !recorded && err == nil {
		for _, r := range res {
			fmt.Fprintf(c.App.Writer, "%s\t%s\n", r.Info.Path.Abs(s.Dir()), r.Sig)
		}
	}
	if recorded && (err == nil || added > 0) {
		// As nix store sign does, on stderr.
		fmt.Fprintf(c.App.ErrWriter, "added %d signatures\n", added)
	}
	return nil
}

func refPaths(dir string, info *sign.PathInfo) []string {
	out := make([]string, 0, len(info.References))
	for _, r := range info.References {
		out = append(out, r.Abs(dir))
	}
	return out
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Flags that sign, verify and push share.

func storeFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "store", Value: "auto", Usage: "the store: auto, daemon, local, files[?root=DIR], unix:///SOCKET, ssh-ng://[USER@]HOST[:PORT][?PARAMS] or file:///DIR"}
}

func recursiveFlag(usage string) ucli.Flag {
	return &ucli.BoolFlag{Name: "recursive", Aliases: []string{"r"}, Usage: usage}
}

func verboseFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say which store is used and why"}
}

func printer(c *ucli.Context) diag.Printer { return diag.Printer{Prog: "nixsign", W: c.App.ErrWriter} }

// openStore opens the store of --store (a cache is created when create).
// Sign, verify and push all use it, and none may quietly work on the files
// store while Nix is installed: it records no signature and has none to
// check or copy, so --store auto then fails and says why (see store.Open);
// --store files still opens it.
func openStore(c *ucli.Context, create bool) (store.Store, error) {
	p := printer(c)
	opts := &store.Options{CreateCache: create, NoFilesFallback: true}
	if c.Bool("verbose") {
		opts.Explain = func(line string) { p.Infof("%s", line) }
	}
	s, err := store.Open(c.Context, c.String("store"), opts)
	if err != nil {
		return nil, storeError(c, err)
	}
	if c.Bool("verbose") {
		p.Infof("store: using %s (store dir %s)", s, s.Dir())
	}
	return s, nil
}

// pathInfos resolves the arguments to store paths and returns their infos,
// with their closure (references first) under --recursive.
func pathInfos(ctx context.Context, c *ucli.Context, s store.Store) ([]*sign.PathInfo, error) {
	paths, err := store.ResolveAll(s, c.Args().Slice())
	if err != nil {
		return nil, diag.Wrap(diag.ExitNoInput, err)
	}
	if c.Bool("recursive") {
		return store.Closure(ctx, s, paths)
	}
	return store.Infos(ctx, s, paths)
}

// storeError gives a store failure its exit code and, where the fix is
// known, a hint. It prints both itself, so it returns a diag.Silent.
func storeError(c *ucli.Context, err error) error {
	if err == nil {
		return nil
	}
	var ce *diag.Error
	if errors.As(err, &ce) {
		return err
	}
	p := printer(c)
	var ue *store.UnavailableError
	var npe *store.NotPrivilegedError
	var nv *store.NotValidError
	var cnv *cache.NotValidError
	var se syscall.Errno
	code := diag.CodeOf(err)
	hint := ""
	switch {
	case errors.As(err, &npe) && npe.Store == "ssh-ng":
		code = diag.ExitNoPerm
		hint = "the remote daemon lets only its trusted users add signatures: add the user ssh logs in as to trusted-users in the nix.conf of the remote machine and restart its daemon"
	case errors.Is(err, store.ErrNotPrivileged):
		code = diag.ExitNoPerm
		hint = fmt.Sprintf("the daemon lets only its trusted users add signatures: add %s to trusted-users in the daemon's nix.conf and restart the daemon", userName())
		if os.Geteuid() != 0 {
			hint += ", or run as root"
		}
	case errors.As(err, &ue):
		code = diag.ExitUnavailable
		switch {
		case ue.Store == "daemon" && errors.Is(err, fs.ErrPermission):
			hint = "to use another store instead: --store local as the store's owner, or --store files to read the store's files without Nix (no signatures are read or recorded)"
		case ue.Store == "daemon":
			hint = "start the daemon (systemctl start nix-daemon), or pick another store with --store local or --store files"
		case ue.Store == "auto":
			hint = "start the daemon (systemctl start nix-daemon) or run as the store's owner; or pick a store explicitly: --store files reads the store's files without Nix (no signatures are read or recorded)"
		}
	case errors.Is(err, store.ErrUnknownStore):
		code = diag.ExitUsage
	case errors.As(err, &nv), errors.As(err, &cnv):
		code = diag.ExitNoInput
	case errors.Is(err, fsutil.ErrNotRegular), errors.Is(err, fsutil.ErrTooLarge):
		code = diag.ExitDataErr // a cache file that is a FIFO, a device, or huge
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		code = diag.ExitIOErr
		hint = "the disk is full; nothing was left half-written: free some space and run the command again"
	case errors.Is(err, syscall.EROFS):
		code = diag.ExitCantCreate
	case errors.As(err, &se) && code == diag.ExitFailure:
		code = diag.ExitIOErr
	}
	p.Errorf("%v", err)
	if hint != "" {
		p.Hintf("%s", hint)
	}
	return diag.Silent{Code: code}
}

func userName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "your user"
}
