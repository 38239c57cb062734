// Package cli runs the nixsign commands written with urfave/cli: it turns
// an application into an exit code and prints errors in the style of
// package diag.
//
// Every mistake on the command line is one "prog: error: ... (see --help)"
// line on stderr and exit code 64 (diag.ExitUsage), whatever urfave/cli
// would do by itself: an unknown command or subcommand (urfave/cli: "No
// help topic for ..." and exit 3), a missing required flag (urfave/cli:
// the whole help on stdout and exit 1), a flag that does not parse.
package cli

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	ucli "github.com/urfave/cli/v2"
)

// Run runs app with args and returns the process exit code. The app's
// actions return errors; Run prints each as one "prog: error:" line and maps
// it to a code with diag.CodeOf. urfave/cli never exits the process itself.
//
// Run sets up app itself but runs a copy of its commands, which urfave/cli
// would otherwise change: the same command values can be run again.
func Run(app *ucli.App, args []string, stdout, stderr io.Writer) int {
	app.Writer = stdout
	app.ErrWriter = stderr
	app.ExitErrHandler = func(*ucli.Context, error) {}
	app.HideHelpCommand = true
	app.EnableBashCompletion = false
	if app.Version == "" {
		app.Version = diag.VersionString()
	}
	var unknown error
	app.CommandNotFound = func(c *ucli.Context, name string) {
		unknown = commandNotFound(c, name)
	}
	app.OnUsageError = usageError
	var required [][]string
	app.Flags, required = optionalFlags(app.Flags)
	app.Before = checkRequired(app.Before, required)
	app.Commands = cloneCommands(app.Commands)

	err := app.Run(args)
	if err == nil {
		// urfave/cli reports an unknown command by calling CommandNotFound
		// and then returning no error.
		err = unknown
	}
	if err == nil {
		return diag.ExitOK
	}
	var s diag.Silent
	if !errors.As(err, &s) {
		diag.Printer{Prog: app.Name, W: stderr}.Errorf("%v", err)
	}
	return diag.CodeOf(err)
}

func usageError(c *ucli.Context, err error, _ bool) error {
	return &diag.Error{Code: diag.ExitUsage, Err: fmt.Errorf("%v (see --help)", err)}
}

// commandNotFound is the error for an unknown command name: under the
// application itself, or under a command with subcommands.
func commandNotFound(c *ucli.Context, name string) error {
	if p := commandPath(c); p != "" {
		return diag.Usagef("%s: unknown command %q", p, name)
	}
	return diag.Usagef("unknown command %q", name)
}

// commandPath returns the names of the commands c runs, as typed after the
// program's name ("key generate"), or "" for the application itself.
// (urfave/cli's Command.FullName gives only the last name.)
func commandPath(c *ucli.Context) string {
	var names []string
	l := c.Lineage()
	// The application's own context is the last one with an App.
	for i, ctx := range l {
		if ctx.Command == nil || i+1 >= len(l) || l[i+1].App == nil {
			break
		}
		names = append([]string{ctx.Command.Name}, names...)
	}
	return strings.Join(names, " ")
}

// cloneCommands returns a deep copy of cmds in which a usage error is
// ExitUsage and required flags are checked by checkRequired.
func cloneCommands(cmds []*ucli.Command) []*ucli.Command {
	if cmds == nil {
		return nil
	}
	out := make([]*ucli.Command, len(cmds))
	for i, c := range cmds {
		cc := *c
		if cc.OnUsageError == nil {
			cc.OnUsageError = usageError
		}
		var required [][]string
		cc.Flags, required = optionalFlags(c.Flags)
		cc.Before = checkRequired(c.Before, required)
		cc.Subcommands = cloneCommands(c.Subcommands)
		out[i] = &cc
	}
	return out
}

// optionalFlags returns flags with each required flag replaced by a copy
// that is not required, and the names of the required flags. urfave/cli
// answers a missing required flag with the whole help on stdout; Run checks
// them itself (checkRequired). A flag type without a Required field is
// left to urfave/cli.
func optionalFlags(flags []ucli.Flag) ([]ucli.Flag, [][]string) {
	out := make([]ucli.Flag, len(flags))
	var required [][]string
	for i, f := range flags {
		out[i] = f
		rf, ok := f.(ucli.RequiredFlag)
		if !ok || !rf.IsRequired() {
			continue
		}
		v := reflect.ValueOf(f)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			continue
		}
		cp := reflect.New(v.Elem().Type())
		cp.Elem().Set(v.Elem())
		req := cp.Elem().FieldByName("Required")
		if !req.IsValid() || req.Kind() != reflect.Bool || !req.CanSet() {
			continue
		}
		req.SetBool(false)
		out[i] = cp.Interface().(ucli.Flag)
		required = append(required, f.Names())
	}
	return out, required
}

// checkRequired returns a Before function that fails with a usage error
// naming the required flags that are not set, and otherwise runs before.
func checkRequired(before ucli.BeforeFunc, required [][]string) ucli.BeforeFunc {
	if len(required) == 0 {
		return before
	}
	return func(c *ucli.Context) error {
		var missing []string
		for _, names := range required {
			if !isSet(c, names) {
				missing = append(missing, "--"+names[0])
			}
		}
		if len(missing) > 0 {
			return requiredError(commandPath(c), missing)
		}
		if before != nil {
			return before(c)
		}
		return nil
	}
}

func isSet(c *ucli.Context, names []string) bool {
	for _, n := range names {
		if c.IsSet(strings.TrimSpace(n)) {
			return true
		}
	}
	return false
}

// requiredError is the usage error for missing required flags.
func requiredError(cmd string, missing []string) error {
	prefix := ""
	if cmd != "" {
		prefix = cmd + ": "
	}
	if len(missing) == 1 {
		return diag.Usagef("%srequired flag %s is missing", prefix, missing[0])
	}
	return diag.Usagef("%srequired flags %s are missing", prefix, strings.Join(missing, ", "))
}

// Args checks the number of positional arguments of a command.
func Args(c *ucli.Context, min, max int) error {
	n := c.NArg()
	name := commandPath(c)
	switch {
	case n < min && min == max:
		return diag.Usagef("%s: want %d argument(s), got %d", name, min, n)
	case n < min:
		return diag.Usagef("%s: want at least %d argument(s), got %d", name, min, n)
	case max >= 0 && n > max:
		return diag.Usagef("%s: want at most %d argument(s), got %d", name, max, n)
	}
	return nil
}
