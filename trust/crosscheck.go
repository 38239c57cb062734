package trust

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/nixsign/nixsign/sign"
)

// crossSettings are the settings compared with nix's.
var crossSettings = []string{
	"trusted-public-keys", "require-sigs", "secret-key-files", "substituters",
	"trusted-substituters", "trusted-users", "allowed-users",
}

// crossCheck runs `nix show-config --json` in the user's environment and
// compares the settings that decide trust with the checker's view of the
// user's configuration (which is what nix shows: the client's, never the
// daemon's).
func (c *checker) crossCheck(ctx context.Context) *CrossCheck {
	run := c.opts.Machine.RunNix
	if run == nil {
		run = runNix
	}
	env := make([]string, 0, len(c.vars))
	for k, v := range c.vars {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	cc := &CrossCheck{Differences: []Difference{}}
	var out []byte
	var err error
	for _, cmd := range [][]string{{"show-config", "--json"}, {"config", "show", "--json"}} {
		args := append([]string{"--extra-experimental-features", "nix-command"}, cmd...)
		cc.Command = "nix " + strings.Join(args, " ")
		out, err = run(ctx, env, args...)
		var ee *exec.ExitError
		if err == nil || !errors.As(err, &ee) || !bytes.Contains(ee.Stderr, []byte("show-config")) && !bytes.Contains(ee.Stderr, []byte("not a recognised")) && !bytes.Contains(ee.Stderr, []byte("unrecognised")) {
			break
		}
	}
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg := strings.TrimSpace(string(ee.Stderr))
			if i := strings.LastIndex(msg, "error: "); i >= 0 {
				msg = msg[i+len("error: "):]
			}
			if c.client == nil {
				// Both refuse the configuration.
				cc.Agrees = true
				return cc
			}
			cc.Differences = append(cc.Differences, Difference{Setting: "(configuration)", Nix: "error: " + sign.RedactSecrets(firstLine(msg)), Checker: "loads"})
			return cc
		}
		cc.Err = err.Error()
		return cc
	}
	var all map[string]struct{ Value json.RawMessage }
	if err := json.Unmarshal(out, &all); err != nil {
		cc.Err = "cannot read nix's output: " + err.Error()
		return cc
	}
	if c.client == nil {
		cc.Differences = append(cc.Differences, Difference{Setting: "(configuration)", Nix: "loads", Checker: "error: " + c.r.Errors[0].Message})
		return cc
	}
	for _, name := range crossSettings {
		raw, ok := all[name]
		if !ok {
			continue
		}
		theirs := jsonText(raw.Value)
		v, _ := c.client.Get(name)
		ours := v.Text
		if theirs != ours {
			cc.Differences = append(cc.Differences, Difference{Setting: name, Nix: displayValue(name, theirs), Checker: displayValue(name, ours)})
		}
	}
	cc.Agrees = len(cc.Differences) == 0
	return cc
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// jsonText turns a setting's JSON value into the text form of
// nixconf.Value.Text.
func jsonText(raw json.RawMessage) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "<" + err.Error() + ">"
	}
	switch v := v.(type) {
	case []any:
		var s []string
		for _, e := range v {
			s = append(s, fmt.Sprint(e))
		}
		return strings.Join(s, " ")
	case map[string]any:
		var s []string
		for k, e := range v {
			s = append(s, k+"="+fmt.Sprint(e))
		}
		slices.Sort(s)
		return strings.Join(s, " ")
	}
	return fmt.Sprint(v)
}

// runNix runs the nix in PATH.
func runNix(ctx context.Context, env []string, args ...string) ([]byte, error) {
	path, err := exec.LookPath("nix")
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ee.Stderr = stderr.Bytes()
	}
	return out, err
}

// displayValue returns a setting's value fit to print: no entry of
// trusted-public-keys or secret-key-files shows a secret key.
func displayValue(setting, v string) string {
	switch setting {
	case "trusted-public-keys":
		return strings.Join(keyTexts(strings.Fields(v)), " ")
	case "secret-key-files":
		var out []string
		for _, f := range strings.Fields(v) {
			out = append(out, sign.DisplayPath(f))
		}
		return strings.Join(out, " ")
	}
	return v
}
