// Package cli runs the nixsign commands written with urfave/cli: it turns
// an application into an exit code and prints errors in the style of
// package diag.
package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	ucli "github.com/urfave/cli/v2"
)

// Run runs app with args and returns the process exit code. The app's
// actions return errors; Run prints each as one "prog: error:" line and maps
// it to a code with diag.CodeOf. urfave/cli never exits the process itself.
func Run(app *ucli.App, args []string, stdout, stderr io.Writer) int {
	app.Writer = stdout
	app.ErrWriter = stderr
	app.ExitErrHandler = func(*ucli.Context, error) {}
	app.HideHelpCommand = true
	app.EnableBashCompletion = false
	if app.Version == "" {
		app.Version = diag.VersionString()
	}
	setUsageErrors(app.Commands)
	app.OnUsageError = usageError
	err := app.Run(args)
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

func setUsageErrors(cmds []*ucli.Command) {
	for _, c := range cmds {
		if c.OnUsageError == nil {
			c.OnUsageError = usageError
		}
		setUsageErrors(c.Subcommands)
	}
}

// Args checks the number of positional arguments of a command.
func Args(c *ucli.Context, min, max int) error {
	n := c.NArg()
	switch {
	case n < min && min == max:
		return diag.Usagef("%s: want %d argument(s), got %d", c.Command.FullName(), min, n)
	case n < min:
		return diag.Usagef("%s: want at least %d argument(s), got %d", c.Command.FullName(), min, n)
	case max >= 0 && n > max:
		return diag.Usagef("%s: want at most %d argument(s), got %d", c.Command.FullName(), max, n)
	}
	return nil
}
