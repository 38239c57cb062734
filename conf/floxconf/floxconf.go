// Package floxconf reads and edits flox's configuration (flox.toml) the way
// flox itself does, for one key: publish.signing_private_key, the secret key
// file `flox publish` signs uploads with.
//
// # Where flox looks
//
// Flox (cli/flox/src/config/mod.rs) merges, key by key, from lowest to
// highest priority:
//
//  1. the system file $FLOX_SYSTEM_CONFIG_DIR/flox.toml, default
//     /etc/flox.toml; FLOX_SYSTEM_CONFIG_DIR set to "" disables it;
//  2. the user file $FLOX_CONFIG_DIR/flox.toml when FLOX_CONFIG_DIR is set
//     and not empty; otherwise the first existing flox/flox.toml in
//     $XDG_CONFIG_HOME (default ~/.config), then in each $XDG_CONFIG_DIRS
//     entry (default /etc/xdg); when none exists,
//     $XDG_CONFIG_HOME/flox/flox.toml. Relative XDG entries are ignored, as
//     the xdg crate does. `flox config --set` writes to this file, even when
//     it was found in $XDG_CONFIG_DIRS;
//  3. environment variables: FLOX_ followed by the key, lowercased, with
//     dots kept, so FLOX_PUBLISH.SIGNING_PRIVATE_KEY (which a shell cannot
//     export, but env(1) can set). FLOX_PUBLISH_SIGNING_PRIVATE_KEY is not
//     read: flox's environment source has no separator, so it names a
//     top-level key publish_signing_private_key that flox ignores.
//
// `flox publish --signing-private-key FILE` overrides all three.
//
// # The key
//
// The value is a path, written for example as
//
//	[publish]
//	signing_private_key = "/home/u/.config/flox/signing.sec"
//
// which is exactly what `flox config --set publish.signing_private_key
// /home/u/.config/flox/signing.sec` writes into a new file (flox reads VALUE
// as JSON first, falling back to a string, which an absolute path always is;
// it checks nothing else about the path, and writes the file with mode 0600
// through a temporary file). Flox passes the
// path unchanged to Nix as the secret-key parameter of its upload URL
// (`nix copy --to URL?secret-key=PATH`), so: a relative path is opened from
// the directory `flox publish` runs in, "~" is not expanded by either, and a
// space is encoded as '+' by flox's URL encoder but not decoded by Nix, which
// then opens a different file. [Validate] reports all three.
package floxconf

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nixsign/nixsign/conf/internal/osenv"
	"github.com/nixsign/nixsign/internal/fsutil"
)

// Key is the flox config key this package reads and edits.
const Key = "publish.signing_private_key"

// maxFileSize bounds a flox.toml that SigningKey reads or SetFile edits: a
// larger file, or one that is not a regular file (a named pipe would block
// the reader, /dev/zero exhaust its memory), is an error naming it.
const maxFileSize = 1 << 20

// Env is the environment flox's config lookup depends on, passed explicitly
// so that tests and callers control it. It has the same shape as
// config.Env, so one converts to the other.
type Env struct {
	Vars map[string]string // environment variables
	Home string            // the home directory; "" when unknown
}

// OSEnv returns the process environment. Home is $HOME when set and not
// empty, else the home directory in the user database, as Rust's
// std::env::home_dir (used by the xdg crate) does.
func OSEnv() Env {
	vars, home := osenv.Read()
	return Env{Vars: vars, Home: home}
}

func (e Env) lookup(k string) (string, bool) {
	v, ok := e.Vars[k]
	return v, ok
}

// SystemFile returns the system flox.toml, or ok false when
// FLOX_SYSTEM_CONFIG_DIR is set to the empty string.
func SystemFile(env Env) (file string, ok bool) {
	dir, set := env.lookup("FLOX_SYSTEM_CONFIG_DIR")
	switch {
	case !set:
		dir = "/etc"
	case dir == "":
		return "", false
	}
	return filepath.Join(dir, "flox.toml"), true
}

// UserFile returns the user flox.toml that flox reads and that
// `flox config --set` writes, whether or not it exists. It fails only when
// neither FLOX_CONFIG_DIR, an absolute XDG_CONFIG_HOME nor a home directory
// is known.
func UserFile(env Env) (string, error) {
	if dir, _ := env.lookup("FLOX_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "flox.toml"), nil
	}
	home := ""
	if h, _ := env.lookup("XDG_CONFIG_HOME"); filepath.IsAbs(h) {
		home = h
	} else if env.Home != "" {
		home = filepath.Join(env.Home, ".config")
	}
	dirs := []string{}
	if home != "" {
		dirs = append(dirs, home)
	}
	var sys []string
	if v, _ := env.lookup("XDG_CONFIG_DIRS"); v != "" {
		for _, d := range filepath.SplitList(v) {
			if filepath.IsAbs(d) {
				sys = append(sys, d)
			}
		}
	}
	if len(sys) == 0 {
		sys = []string{"/etc/xdg"}
	}
	for _, d := range append(dirs, sys...) {
		f := filepath.Join(d, "flox", "flox.toml")
		if _, err := os.Stat(f); err == nil {
			return f, nil
		}
	}
	if home == "" {
		return "", fmt.Errorf("cannot locate the flox config file: set HOME, XDG_CONFIG_HOME or FLOX_CONFIG_DIR")
	}
	return filepath.Join(home, "flox", "flox.toml"), nil
}

// Source says where a value of publish.signing_private_key came from.
type Source struct {
	File string // the flox.toml it was read from; "" when from the environment
	Line int    // the key's 1-based line in File; 0 when unknown
	Var  string // the environment variable it was read from, if any
}

// String describes the source as "publish.signing_private_key in FILE:LINE"
// or "$VAR".
func (s Source) String() string {
	switch {
	case s.Var != "":
		return "$" + s.Var
	case s.File == "":
		return Key
	case s.Line > 0:
		return fmt.Sprintf("%s in %s:%d", Key, s.File, s.Line)
	}
	return Key + " in " + s.File
}

// Errorf returns an error about the value from s, in the config-error form
// "FILE:LINE: publish.signing_private_key: problem" (or "$VAR: problem").
func (s Source) Errorf(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	switch {
	case s.Var != "":
		return fmt.Errorf("$%s: %s", s.Var, msg)
	case s.File == "":
		return fmt.Errorf("%s: %s", Key, msg)
	case s.Line > 0:
		return fmt.Errorf("%s:%d: %s: %s", s.File, s.Line, Key, msg)
	}
	return fmt.Errorf("%s: %s: %s", s.File, Key, msg)
}

// SigningKey returns publish.signing_private_key as flox would read it, with
// its source: the environment over the user file over the system file. The
// value is returned as written; check it with [Validate]. ok is false when
// no source sets it. A file that exists but cannot be read or is not valid
// TOML is an error, as it is for flox (which then refuses to start); a
// missing user file, or no known home directory, is not.
func SigningKey(env Env) (value string, src Source, ok bool, err error) {
	for k, v := range env.Vars {
		if rest, found := strings.CutPrefix(k, "FLOX_"); found && strings.ToLower(rest) == Key {
			// Several spellings would be a tie in flox (a hash map); pick
			// the smallest name so the result is at least stable.
			if !ok || k < src.Var {
				value, src, ok = v, Source{Var: k}, true
			}
		}
	}
	if ok {
		return value, src, true, nil
	}
	var files []string
	if f, err := UserFile(env); err == nil {
		files = append(files, f)
	}
	if f, sysOK := SystemFile(env); sysOK {
		files = append(files, f)
	}
	for _, f := range files {
		data, err := fsutil.ReadSmallFile(f, maxFileSize)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return "", Source{}, false, err
		}
		v, line, found, err := Get(f, data)
		if err != nil {
			return "", Source{}, false, err
		}
		if found {
			return v, Source{File: f, Line: line}, true, nil
		}
	}
	return "", Source{}, false, nil
}
