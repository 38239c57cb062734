package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/nixsign/nixsign/cmd/internal/cli"
	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/conf/floxconf"
	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
	ucli "github.com/urfave/cli/v2"
)

// configCommand reads and edits flox's publish.signing_private_key, the key
// `flox publish` signs with and nixsign-hook falls back to, in the user's
// flox.toml, as `flox config --get/--set/--delete` do, but refusing a value
// flox would pass to Nix in a form Nix misreads.
var configCommand = &ucli.Command{
	Name:  "config",
	Usage: "get, set or unset flox's " + floxconf.Key + " (the signing key of flox publish and nixsign-hook)",
	Subcommands: []*ucli.Command{
		{
			Name:      "get",
			Usage:     "print the value flox uses, and where it comes from (on stderr)",
			ArgsUsage: floxconf.Key,
			Flags:     []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print the value, where it comes from and its problems as JSON"}},
			Action:    configGet,
		},
		{
			Name:      "set",
			Usage:     "set the value in the user's flox.toml (an absolute path; ~ and relative paths are refused)",
			ArgsUsage: floxconf.Key + " VALUE",
			Action:    configSet,
		},
		{
			Name:      "unset",
			Usage:     "remove the value from the user's flox.toml",
			ArgsUsage: floxconf.Key,
			Action:    configUnset,
		},
	},
}

// configKey checks the KEY argument and the argument count.
func configKey(c *ucli.Context, nargs int) error {
	if err := cli.Args(c, nargs, nargs); err != nil {
		return err
	}
	if k := c.Args().First(); k != floxconf.Key {
		return diag.Usagef("config %s: unknown key %q: only %s is supported", c.Command.Name, k, floxconf.Key)
	}
	return nil
}

func configGet(c *ucli.Context) error {
	if err := configKey(c, 1); err != nil {
		return err
	}
	p := diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}
	value, src, ok, err := floxconf.SigningKey(floxconf.OSEnv())
	if err != nil {
		return diag.Wrap(diag.ExitConfig, err)
	}
	if !ok {
		return diag.Wrap(diag.ExitFailure, fmt.Errorf("%s is not set; set it with: nixsign config set %s /absolute/path/to/key.sec", floxconf.Key, floxconf.Key))
	}
	warnings, err := floxconf.Validate(value, src)
	if err != nil {
		warnings = append([]string{err.Error()}, warnings...)
	}
	if c.Bool("json") {
		if err := writeJSON(c.App.Writer, newConfigJSON(value, src, warnings)); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(c.App.Writer, sign.DisplayPath(value))
		p.Infof("from %s", src)
	}
	for _, w := range warnings {
		p.Warnf("%s", w)
	}
	return nil
}

// configJSON is the output of config get --json.
type configJSON struct {
	Key      string   `json:"key"`
	Value    string   `json:"value"`
	Source   string   `json:"source"`             // as on stderr without --json
	File     string   `json:"file,omitempty"`     // the flox.toml the value is read from
	Line     int      `json:"line,omitempty"`     // its line there
	Variable string   `json:"variable,omitempty"` // or the environment variable
	Warnings []string `json:"warnings"`           // what flox or Nix would get wrong
}

func newConfigJSON(value string, src floxconf.Source, warnings []string) configJSON {
	if warnings == nil {
		warnings = []string{}
	}
	return configJSON{
		Key: floxconf.Key, Value: sign.DisplayPath(value), Source: src.String(),
		File: src.File, Line: src.Line, Variable: src.Var, Warnings: warnings,
	}
}

func configSet(c *ucli.Context) error {
	if err := configKey(c, 2); err != nil {
		return err
	}
	value := c.Args().Get(1)
	p := diag.Printer{Prog: c.App.Name, W: c.App.ErrWriter}
	if _, err := floxconf.Validate(value, floxconf.Source{}); err != nil {
		return diag.Wrap(diag.ExitNoPerm, err)
	}
	file, err := floxconf.UserFile(floxconf.OSEnv())
	if err != nil {
		return diag.Wrap(diag.ExitConfig, err)
	}
	warnings, err := floxconf.SetFile(file, value)
	if err != nil {
		return diag.Wrap(editCode(err), err)
	}
	for _, w := range warnings {
		p.Warnf("%s", w)
	}
	// The value is stored; say now, not after a build, if the file is unfit.
	if _, problems := secretkey.Inspect(value); len(problems) > 0 {
		p.Warnf("%v", problems[0])
	}
	fmt.Fprintf(c.App.Writer, "%s: %s = %q\n", file, floxconf.Key, value)
	return nil
}

func configUnset(c *ucli.Context) error {
	if err := configKey(c, 1); err != nil {
		return err
	}
	file, err := floxconf.UserFile(floxconf.OSEnv())
	if err != nil {
		return diag.Wrap(diag.ExitConfig, err)
	}
	removed, err := floxconf.UnsetFile(file)
	if err != nil {
		return diag.Wrap(editCode(err), err)
	}
	if !removed {
		fmt.Fprintf(c.App.Writer, "%s: %s was not set\n", file, floxconf.Key)
		return nil
	}
	fmt.Fprintf(c.App.Writer, "%s: %s removed\n", file, floxconf.Key)
	return nil
}

// editCode is the exit code of a failed edit of flox.toml: a file that
// does not parse is malformed configuration; anything else is a write
// failure.
func editCode(err error) int {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return diag.CodeOf(err)
	}
	return diag.ExitConfig
}
