// Package config reads nixsign's own configuration file, a TOML file such as
//
//	# /etc/nixsign/config.toml
//	key_file  = "/var/lib/nixsign/signing.sec"
//	store     = "daemon"                   # auto | daemon | local | files | file:///DIR
//	recursive = false
//	push_to   = "file:///srv/nix-cache"
//	on_error  = "warn"                     # fail (default) | warn
//	log_file  = "/var/log/nixsign-hook.log"
//
// Every key is optional; unknown keys, values of the wrong type, relative
// paths and unknown store or on_error values are errors of the form
// "FILE:LINE: KEY: problem", syntax errors "FILE:LINE:COL: problem".
//
// # Files
//
// Two files are read, and merged key by key, the user file winning:
//
//  1. the system file, /etc/nixsign/config.toml, or $NIXSIGN_SYSTEM_CONFIG
//     when set (set to "", it disables the system file, which keeps tests
//     hermetic);
//  2. the user file, $NIXSIGN_CONFIG when set (it must then exist; set to ""
//     it disables the user file), else $XDG_CONFIG_HOME/nixsign/config.toml,
//     with XDG_CONFIG_HOME defaulting to ~/.config (a relative
//     XDG_CONFIG_HOME is ignored, as the XDG spec says).
//
// Merging rather than taking the first file found is what Nix (nix.conf),
// git and flox (flox.toml, the other place the hook finds a key) do: an
// administrator's defaults in /etc, such as on_error or push_to, still apply
// to a user who overrides only key_file. It stays explainable because each
// value records the file and line it came from ([Config.Source]).
//
// Environment variables are passed in an [Env], never read deep inside.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/nixsign/nixsign/conf/internal/osenv"
	"github.com/nixsign/nixsign/internal/fsutil"
)

// The keys of the config file.
const (
	KeyFile   = "key_file"  // string: absolute path of the secret key file
	Store     = "store"     // string: auto, daemon, local, files or file:///DIR
	Recursive = "recursive" // bool: sign the closure, not only the outputs
	PushTo    = "push_to"   // string: file:///DIR binary cache to push to
	OnError   = "on_error"  // string: fail or warn
	LogFile   = "log_file"  // string: absolute path of the hook's log
)

// Values of on_error.
const (
	OnErrorFail = "fail" // the hook exits non-zero; Nix stops further builds
	OnErrorWarn = "warn" // the hook reports the failure and exits 0
)

// Config is nixsign's configuration. Unset keys have their defaults: store
// "auto", on_error "fail", the others empty.
type Config struct {
	KeyFile   string
	Store     string
	Recursive bool
	PushTo    string
	OnError   string
	LogFile   string

	// Files lists the files that were read, system file first.
	Files []string

	src map[string]Source
}

// Source says where a value came from.
type Source struct {
	Key  string // the config key
	File string // the file that set it
	Line int    // its 1-based line; 0 when unknown
}

// String describes s as "KEY in FILE:LINE".
func (s Source) String() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s in %s:%d", s.Key, s.File, s.Line)
	}
	return s.Key + " in " + s.File
}

// Errorf returns an error about the value from s: "FILE:LINE: KEY: problem".
func (s Source) Errorf(format string, args ...any) error {
	loc := s.File
	if s.Line > 0 {
		loc = fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return fmt.Errorf("%s: %s: %s", loc, s.Key, fmt.Sprintf(format, args...))
}

// Source returns where key was set, and false when no file sets it.
func (c *Config) Source(key string) (Source, bool) {
	s, ok := c.src[key]
	return s, ok
}

// Env is the environment the config lookup depends on. It has the same shape
// as floxconf.Env, so one converts to the other.
type Env struct {
	Vars map[string]string // environment variables
	Home string            // the home directory; "" when unknown
}

// OSEnv returns the process environment, with Home from $HOME or, when that
// is unset or empty, the user database.
func OSEnv() Env {
	vars, home := osenv.Read()
	return Env{Vars: vars, Home: home}
}

// Paths returns the system and user config files, "" for one that is
// disabled or cannot be located (no home directory). explicit reports that
// the user file was named by $NIXSIGN_CONFIG, and so must exist.
func Paths(env Env) (system, user string, explicit bool) {
	system = "/etc/nixsign/config.toml"
	if v, ok := env.Vars["NIXSIGN_SYSTEM_CONFIG"]; ok {
		system = v
	}
	if v, ok := env.Vars["NIXSIGN_CONFIG"]; ok {
		return system, v, v != ""
	}
	if h := env.Vars["XDG_CONFIG_HOME"]; filepath.IsAbs(h) {
		return system, filepath.Join(h, "nixsign", "config.toml"), false
	}
	if env.Home != "" {
		return system, filepath.Join(env.Home, ".config", "nixsign", "config.toml"), false
	}
	return system, "", false
}

// maxFileSize bounds a config file: Load refuses a larger one, and one that
// is not a regular file (a named pipe, a device; /dev/null reads as empty),
// rather than block on it or read it without end.
const maxFileSize = 1 << 20

// Load reads the system and user config files (see [Paths]); a missing file
// is skipped, except a user file named by $NIXSIGN_CONFIG. A file that is
// not a regular file, or is larger than 1 MiB, is an error.
func Load(env Env) (*Config, error) {
	c := newConfig()
	system, user, explicit := Paths(env)
	for _, f := range []string{system, user} {
		if f == "" {
			continue
		}
		data, err := fsutil.ReadSmallFile(f, maxFileSize)
		if errors.Is(err, os.ErrNotExist) && !(f == user && explicit) {
			continue
		}
		if err != nil {
			if f == user && explicit {
				return nil, fmt.Errorf("NIXSIGN_CONFIG: %w", err)
			}
			return nil, err
		}
		if err := c.merge(f, data); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Parse reads one config file's contents, named file in errors and sources.
func Parse(file string, data []byte) (*Config, error) {
	c := newConfig()
	if err := c.merge(file, data); err != nil {
		return nil, err
	}
	return c, nil
}

func newConfig() *Config {
	return &Config{Store: "auto", OnError: OnErrorFail, src: map[string]Source{}}
}
