package cli

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	ucli "github.com/urfave/cli/v2"
)

// testCommands returns a command tree like nixsign's: a group with
// subcommands, commands with required flags, one with a Before.
func testCommands(ran *[]string) []*ucli.Command {
	record := func(name string) ucli.ActionFunc {
		return func(*ucli.Context) error { *ran = append(*ran, name); return nil }
	}
	return []*ucli.Command{
		{
			Name: "key",
			Subcommands: []*ucli.Command{
				{
					Name:   "generate",
					Flags:  []ucli.Flag{&ucli.StringFlag{Name: "name", Required: true}},
					Action: record("key generate"),
				},
				{
					Name: "public",
					Action: func(c *ucli.Context) error {
						if err := Args(c, 1, 1); err != nil {
							return err
						}
						*ran = append(*ran, "key public")
						return nil
					},
				},
			},
		},
		{
			Name: "push",
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "to", Required: true},
				&ucli.StringFlag{Name: "key-file", Aliases: []string{"k"}, EnvVars: []string{"CLI_TEST_KEY_FILE"}, Required: true},
				&ucli.IntFlag{Name: "jobs"},
			},
			Before: func(*ucli.Context) error { *ran = append(*ran, "push before"); return nil },
			Action: record("push"),
		},
		{
			Name: "fail",
			Flags: []ucli.Flag{
				&ucli.IntFlag{Name: "code"},
				&ucli.BoolFlag{Name: "silent"},
			},
			Action: func(c *ucli.Context) error {
				switch {
				case c.Bool("silent"):
					return diag.Silent{Code: c.Int("code")}
				case c.IsSet("code"):
					return diag.Wrap(c.Int("code"), errors.New("it failed"))
				}
				return errors.New("plain failure\nsecond line")
			},
		},
	}
}

func runTest(t *testing.T, cmds []*ucli.Command, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	app := &ucli.App{Name: "prog", Commands: cmds}
	var out, errw bytes.Buffer
	code = Run(app, append([]string{"prog"}, args...), &out, &errw)
	return code, out.String(), errw.String()
}

func TestRun(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string // exact
		ran    string // the actions that ran, joined by ","
	}{
		{[]string{"key", "generate", "--name", "n"}, diag.ExitOK, "", "key generate"},
		{[]string{"push", "--to", "file:///c", "-k", "/k"}, diag.ExitOK, "", "push before,push"},

		// Unknown commands: urfave/cli says "No help topic" and exits 3.
		{[]string{"bogus"}, diag.ExitUsage, "prog: error: unknown command \"bogus\" (see --help)\n", ""},
		{[]string{"bogus", "x", "--y"}, diag.ExitUsage, "prog: error: unknown command \"bogus\" (see --help)\n", ""},
		{[]string{"help", "push"}, diag.ExitUsage, "prog: error: unknown command \"help\" (see --help)\n", ""},
		{[]string{"key", "bogus"}, diag.ExitUsage, "prog: error: key: unknown command \"bogus\" (see --help)\n", ""},

		// Missing required flags: urfave/cli prints the help on stdout and exits 1.
		{[]string{"key", "generate"}, diag.ExitUsage, "prog: error: key generate: required flag --name is missing (see --help)\n", ""},
		{[]string{"push"}, diag.ExitUsage, "prog: error: push: required flags --to, --key-file are missing (see --help)\n", ""},
		{[]string{"push", "--key-file", "/k", "x"}, diag.ExitUsage, "prog: error: push: required flag --to is missing (see --help)\n", ""},
		{[]string{"push", "--to", "file:///c", "--jobs", "2"}, diag.ExitUsage, "prog: error: push: required flag --key-file is missing (see --help)\n", ""},

		// Flags and arguments that do not parse.
		{[]string{"--bogus"}, diag.ExitUsage, "prog: error: flag provided but not defined: -bogus (see --help)\n", ""},
		{[]string{"push", "--jobs", "x"}, diag.ExitUsage, "prog: error: invalid value \"x\" for flag -jobs: parse error (see --help)\n", ""},
		{[]string{"key", "public"}, diag.ExitUsage, "prog: error: key public: want 1 argument(s), got 0 (see --help)\n", ""},
		{[]string{"key", "public", "a", "b"}, diag.ExitUsage, "prog: error: key public: want at most 1 argument(s), got 2 (see --help)\n", ""},

		// Errors of actions: one line, the code they carry.
		{[]string{"fail"}, diag.ExitFailure, "prog: error: plain failure; second line\n", ""},
		{[]string{"fail", "--code", "66"}, 66, "prog: error: it failed\n", ""},
		{[]string{"fail", "--silent", "--code", "13"}, 13, "", ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var ran []string
			code, stdout, stderr := runTest(t, testCommands(&ran), tc.args...)
			if code != tc.code {
				t.Errorf("code %d, want %d", code, tc.code)
			}
			if stderr != tc.stderr {
				t.Errorf("stderr %q, want %q", stderr, tc.stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if got := strings.Join(ran, ","); got != tc.ran {
				t.Errorf("ran %q, want %q", got, tc.ran)
			}
		})
	}
}

// A required flag may come from its environment variable, as with
// urfave/cli.
func TestRunRequiredFromEnv(t *testing.T) {
	t.Setenv("CLI_TEST_KEY_FILE", "/k")
	var ran []string
	code, _, stderr := runTest(t, testCommands(&ran), "push", "--to", "file:///c")
	if code != diag.ExitOK || stderr != "" {
		t.Errorf("code %d, stderr %q; want 0 and nothing", code, stderr)
	}
}

// --help still works on a command with required flags, and --version.
func TestRunHelp(t *testing.T) {
	var ran []string
	for _, args := range [][]string{{"push", "--help"}, {"key", "generate", "-h"}, {"--help"}, {"key"}} {
		code, stdout, stderr := runTest(t, testCommands(&ran), args...)
		if code != diag.ExitOK || stderr != "" || !strings.Contains(stdout, "USAGE:") {
			t.Errorf("%q: code %d, stderr %q, stdout %q; want 0, nothing, the help", args, code, stderr, stdout)
		}
	}
	code, stdout, _ := runTest(t, testCommands(&ran), "--version")
	if code != diag.ExitOK || !strings.HasPrefix(stdout, "prog version ") {
		t.Errorf("--version: code %d, stdout %q", code, stdout)
	}
	if len(ran) > 0 {
		t.Errorf("help ran %q", ran)
	}
}

// Run leaves the commands it is given as they were, so that the same
// command values (package variables in nixsign) can be run again.
func TestRunTwice(t *testing.T) {
	var ran []string
	cmds := testCommands(&ran)
	for i := 0; i < 2; i++ {
		code, _, stderr := runTest(t, cmds, "push", "--to", "file:///c")
		if code != diag.ExitUsage || stderr != "prog: error: push: required flag --key-file is missing (see --help)\n" {
			t.Errorf("run %d: code %d, stderr %q", i, code, stderr)
		}
		code, _, stderr = runTest(t, cmds, "key", "generate", "--name", "n")
		if code != diag.ExitOK || stderr != "" {
			t.Errorf("run %d: code %d, stderr %q", i, code, stderr)
		}
	}
	push := cmds[1]
	if f := push.Flags[0].(*ucli.StringFlag); !f.Required {
		t.Error("Run changed the flag's Required")
	}
	if len(push.Flags) != 3 || len(cmds[0].Subcommands) != 2 || push.HelpName != "" {
		t.Errorf("Run changed the commands: %d flags, %d subcommands, HelpName %q", len(push.Flags), len(cmds[0].Subcommands), push.HelpName)
	}
}

// A required flag of the application itself.
func TestRunRequiredAppFlag(t *testing.T) {
	run := func(args ...string) (int, string) {
		app := &ucli.App{
			Name:   "prog",
			Flags:  []ucli.Flag{&ucli.StringSliceFlag{Name: "key", Required: true}},
			Action: func(*ucli.Context) error { return nil },
		}
		var out, errw bytes.Buffer
		code := Run(app, append([]string{"prog"}, args...), &out, &errw)
		return code, out.String() + errw.String()
	}
	if code, out := run(); code != diag.ExitUsage || out != "prog: error: required flag --key is missing (see --help)\n" {
		t.Errorf("no --key: code %d, output %q", code, out)
	}
	if code, out := run("--key", "k"); code != diag.ExitOK || out != "" {
		t.Errorf("--key k: code %d, output %q", code, out)
	}
}
