package cli

import (
	"errors"
	"fmt"
	"io"

	ucli "github.com/urfave/cli/v2"
)

// Run runs app with args and returns the process exit code. The app's
// actions return errors; Run prints each as one "prog: error:" line and maps
// it to a code with CodeOf. urfave/cli never exits the process itself.
func Run(app *ucli.App, args []string, stdout, stderr io.Writer) int {
	app.Writer = stdout
	app.ErrWriter = stderr
	app.ExitErrHandler = func(*ucli.Context, error) {}
	app.HideHelpCommand = true
	app.EnableBashCompletion = false
	if app.Version == "" {
		app.Version = VersionString()
	}
	setUsageErrors(app.Commands)
	app.OnUsageError = usageError
	err := app.Run(args)
	if err == nil {
		return ExitOK
	}
	var s Silent
	if !errors.As(err, &s) {
		Printer{Prog: app.Name, W: stderr}.Errorf("%v", err)
	}
	return CodeOf(err)
}

func usageError(c *ucli.Context, err error, _ bool) error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf("%v (see --help)", err)}
}

func setUsageErrors(cmds []*ucli.Command) {
	for _, c := range cmds {
		if c.OnUsageError == nil {
			c.OnUsageError = usageError
		}
		setUsageErrors(c.Subcommands)
	}
}

// Usagef returns a usage error.
func Usagef(format string, args ...any) error {
	return &Error{Code: ExitUsage, Err: fmt.Errorf(format+" (see --help)", args...)}
}

// Args checks the number of positional arguments of a command.
func Args(c *ucli.Context, min, max int) error {
	n := c.NArg()
	switch {
	case n < min && min == max:
		return Usagef("%s: want %d argument(s), got %d", c.Command.FullName(), min, n)
	case n < min:
		return Usagef("%s: want at least %d argument(s), got %d", c.Command.FullName(), min, n)
	case max >= 0 && n > max:
		return Usagef("%s: want at most %d argument(s), got %d", c.Command.FullName(), max, n)
	}
	return nil
}
