package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"syscall"

	"github.com/nixsign/nixsign/cmd/internal/checkcmd"
	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/conf/nixconf"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/trust"
	ucli "github.com/urfave/cli/v2"
)

var trustCommand = &ucli.Command{
	Name:  "trust",
	Usage: "check and change which signing keys this machine trusts",
	Subcommands: []*ucli.Command{
		checkcmd.Command(),
		trustAddCommand,
		trustRemoveCommand,
	},
}

func trustEditFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "conf", Usage: "edit `FILE` (default: the nix.conf the nix-daemon reads, /etc/nix/nix.conf)"},
		&ucli.BoolFlag{Name: "dry-run", Aliases: []string{"n"}, Usage: "print the change as a diff; change nothing"},
		&ucli.BoolFlag{Name: "restart", Usage: "restart the nix-daemon after the change (systemd, launchd)"},
		checkcmd.StoreFlag(),
		checkcmd.DaemonPIDFlag(),
	}
}

// trustAddCommand trusts a key in nix.conf, then checks it again.
var trustAddCommand = &ucli.Command{
	Name:      "add",
	Usage:     "trust a public key in the nix.conf the daemon reads",
	ArgsUsage: "KEY|FILE",
	Description: "Appends the key to the last extra-trusted-public-keys line (or adds one), keeping every other byte;\n" +
		"the file is replaced atomically under a lock, the previous version kept as FILE" + nixconf.BackupSuffix + ";\n" +
		"the lock file, FILE" + nixconf.LockSuffix + ", stays beside it. With --conf, a FILE the daemon does not read\n" +
		"is edited all the same, with a warning naming the file it reads.\n" +
		"On NixOS and nix-darwin, where nix.conf is generated, it prints the nix.settings snippet instead.",
	Flags: trustEditFlags(),
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 1, 1); err != nil {
			return err
		}
		k, err := checkcmd.ReadKey(c.Args().First())
		if err != nil {
			return err
		}
		opts := editOptions(c)
		ed, err := trust.AddKey(context.Background(), opts, k)
		if err != nil {
			return editError(c, err)
		}
		w := c.App.Writer
		switch {
		case ed.Already != "" && ed.Unread:
			fmt.Fprintf(w, "%s already lists %s (%s): nothing to change\n", ed.File, k, ed.Already)
		case ed.Already != "":
			fmt.Fprintf(w, "%s is already trusted (%s): nothing to change\n", k, ed.Already)
		case opts.DryRun:
			fmt.Fprint(w, ed.Diff)
		default:
			fmt.Fprintf(w, "added %s to %s%s\n", k, ed.File, backupNote(ed))
			fmt.Fprint(w, ed.Diff)
		}
		if ed.Unread {
			// The edit did what was asked; checking again would only
			// report the key as not trusted.
			diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}.Warnf(
				"%s does not read %s (it reads %s): this machine does not trust the key because of it", ed.Reader, ed.File, ed.Reads)
			return nil
		}
		if opts.DryRun {
			return nil
		}
		return recheck(c, recheckOptions(opts.Options, ed), k)
	},
}

// trustRemoveCommand removes keys from nix.conf.
var trustRemoveCommand = &ucli.Command{
	Name:      "remove",
	Usage:     "stop trusting keys: remove them from the nix.conf the daemon reads",
	ArgsUsage: "KEY|NAME|FILE...",
	Description: "Removes every trusted-public-keys entry that is the KEY (or the key in FILE), or whose name is NAME.\n" +
		"An extra-trusted-public-keys line left empty is removed. Removing what is not there changes nothing.",
	Flags: trustEditFlags(),
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 1, -1); err != nil {
			return err
		}
		var args []string
		var keys []sign.PublicKey
		for _, a := range c.Args().Slice() {
			if k, err := trust.ReadKey(a); err == nil {
				a = k.String()
				keys = append(keys, k)
			}
			args = append(args, a)
		}
		opts := editOptions(c)
		ed, err := trust.RemoveKeys(context.Background(), opts, args...)
		if err != nil {
			return editError(c, err)
		}
		w := c.App.Writer
		switch {
		case !ed.Changed:
			fmt.Fprintf(w, "%s lists none of them: nothing to change\n", ed.File)
			return nil
		case opts.DryRun:
			fmt.Fprint(w, ed.Diff)
			return nil
		}
		for _, r := range ed.Removed {
			fmt.Fprintf(w, "removed %s\n", r)
		}
		fmt.Fprintf(w, "from %s%s\n", ed.File, backupNote(ed))
		fmt.Fprint(w, ed.Diff)
		if ed.Unread {
			diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}.Warnf(
				"%s does not read %s (it reads %s): the change does not affect what this machine trusts", ed.Reader, ed.File, ed.Reads)
			return nil
		}
		return recheck(c, recheckOptions(opts.Options, ed), keys...)
	},
}

func editOptions(c *ucli.Context) trust.EditOptions {
	return trust.EditOptions{Options: checkcmd.Options(c), Conf: c.String("conf"), DryRun: c.Bool("dry-run")}
}

// recheckOptions checks through the daemon when one serves the machine,
// even if the edit ran with a local store (as root, under sudo).
func recheckOptions(opts trust.Options, ed *trust.Edit) trust.Options {
	if ed.RecheckStore != "" {
		opts.Store = ed.RecheckStore
	}
	return opts
}

func backupNote(ed *trust.Edit) string {
	if ed.Backup == "" {
		return ""
	}
	return " (previous version: " + ed.Backup + ")"
}

// editError maps an edit failure to its exit code, printing the snippet to
// use instead of editing a generated file.
func editError(c *ucli.Context, err error) error {
	var ge *trust.GeneratedError
	var ce *nixconf.KeyConflictError
	var pe *nixconf.Error
	var ee *nixconf.EditError
	switch {
	case errors.As(err, &ge):
		if ge.Fix.Snippet != "" {
			fmt.Fprintf(c.App.Writer, "# %s\n%s\n", ge.Fix.File, ge.Fix.Snippet)
		}
		return diag.Wrap(diag.ExitCantCreate, err)
	case errors.As(err, &ce) && strings.HasSuffix(ce.Entry, sign.Redacted):
		// trust.AddKey redacts an entry that is a secret key; remove it by
		// name.
		diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}.Hintf("it is a secret key: remove it first and rotate it (treat it as exposed): nixsign trust remove %s", ce.Name)
		return diag.Wrap(diag.ExitShadowed, err)
	case errors.As(err, &ce):
		diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}.Hintf("remove it first: nixsign trust remove %s", ce.Entry)
		return diag.Wrap(diag.ExitShadowed, err)
	case errors.As(err, &pe):
		return diag.Wrap(diag.ExitConfig, err)
	case errors.As(err, &ee) && errors.Is(err, syscall.EROFS):
		return diag.Wrap(diag.ExitIOErr, err)
	case errors.As(err, &ee) && errors.Is(err, fs.ErrPermission):
		return diag.Wrap(diag.ExitNoPerm, err)
	case errors.As(err, &ee):
		return diag.Wrap(diag.ExitIOErr, err)
	}
	if diag.CodeOf(err) == diag.ExitFailure {
		return diag.Wrap(diag.ExitDataErr, err) // a key nix.conf cannot hold
	}
	return err
}

// recheck restarts the daemon with --restart, then checks the keys again
// and prints the verdicts. A restart that is still needed is a hint, not a
// failure: the edit did what it should.
func recheck(c *ucli.Context, opts trust.Options, keys ...sign.PublicKey) error {
	ctx := context.Background()
	p := diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}
	if c.Bool("restart") {
		if err := trust.RestartDaemon(ctx, opts); err != nil {
			return diag.Wrap(diag.ExitUnavailable, err)
		}
		fmt.Fprintln(c.App.Writer, "restarted nix-daemon")
	}
	r, err := trust.Check(ctx, opts, keys...)
	if err != nil {
		return err
	}
	fmt.Fprintln(c.App.Writer)
	code, err := checkcmd.Print(c.App.Writer, diag.Printer{Prog: c.App.Name, W: io.Discard}, r, false)
	if err != nil {
		return err
	}
	if c.Command.Name == "remove" {
		return nil
	}
	if code == diag.ExitRestart {
		if f := r.RestartFix; f != nil && f.Command != "" {
			p.Hintf("restart the daemon to use the new configuration: %s", f.Command)
		} else if f != nil {
			p.Hintf("%s", f.Message)
		}
		return nil
	}
	if code != diag.ExitOK {
		checkcmd.Print(io.Discard, p, r, false)
		return diag.Silent{Code: code}
	}
	return nil
}
