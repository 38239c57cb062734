// Package osenv reads the process environment for the config lookups of
// conf/config and conf/floxconf, which take it as a value (their Env types)
// rather than reading it deep inside.
package osenv

import (
	"os"
	"os/user"
	"strings"
)

// Read returns the environment variables, the first of duplicate names
// winning, and the home directory: $HOME when set and not empty, else the
// home directory in the user database, as Rust's std::env::home_dir (used by
// flox through the xdg crate) does; "" when neither is known.
func Read() (vars map[string]string, home string) {
	vars = make(map[string]string)
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if _, dup := vars[k]; !dup {
				vars[k] = v
			}
		}
	}
	home = vars["HOME"]
	if home == "" {
		if u, err := user.Current(); err == nil {
			home = u.HomeDir
		}
	}
	return vars, home
}
