package main

import (
	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/cmd/internal/hookcmd"
	"github.com/nixsign/nixsign/conf/config"
	ucli "github.com/urfave/cli/v2"
)

// hookCommand is `nixsign hook`, the same as the nixsign-hook binary (which
// Nix runs as its post-build-hook).
var hookCommand = &ucli.Command{
	Name:  "hook",
	Usage: "sign what Nix just built (as post-build-hook), or check the key first (--preflight)",
	Description: "Run by Nix as its post-build-hook, it signs every output of the build (with recursive, their closure)\n" +
		"in the store Nix built in, and with push_to copies them to a binary cache. The key comes from --key-file,\n" +
		"$NIXSIGN_KEY_FILE, key_file in nixsign's config, or publish.signing_private_key in flox's config.",
	Flags: []ucli.Flag{
		&ucli.StringFlag{Name: "key-file", Usage: hookcmd.KeyFileUsage},
		&ucli.BoolFlag{Name: "preflight", Usage: hookcmd.PreflightUsage},
		&ucli.BoolFlag{Name: "require-trusted", Usage: hookcmd.RequireTrustedUsage},
	},
	Action: func(c *ucli.Context) error {
		if err := cli.Args(c, 0, 0); err != nil {
			return err
		}
		params := hookcmd.Params{
			KeyFile:        c.String("key-file"),
			Preflight:      c.Bool("preflight"),
			RequireTrusted: c.Bool("require-trusted"),
		}
		p := diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}
		return hookcmd.Execute(c.Context, params, config.OSEnv(), c.App.Writer, p)
	},
}
