package hook

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nixsign/nixsign/conf/config"
	"github.com/nixsign/nixsign/conf/floxconf"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// KeySource says where the path of the secret key file came from.
type KeySource struct {
	// Name is "--key-file", "NIXSIGN_KEY_FILE", "key_file" (nixsign's
	// config), "publish.signing_private_key" (flox's config) or, for flox's
	// environment override, the variable's name.
	Name string
	File string // the config file that set it; "" for a flag or a variable
	Line int    // its 1-based line in File; 0 when unknown
	Var  bool   // Name is an environment variable
}

// The key sources other than config files.
var (
	FlagSource = KeySource{Name: "--key-file"}
	EnvSource  = KeySource{Name: "NIXSIGN_KEY_FILE", Var: true}
)

// String describes s for people: "--key-file", "$NIXSIGN_KEY_FILE",
// "key_file in /etc/nixsign/config.toml:2".
func (s KeySource) String() string {
	switch {
	case s.Var:
		return "$" + s.Name
	case s.File == "":
		return s.Name
	case s.Line > 0:
		return fmt.Sprintf("%s in %s:%d", s.Name, s.File, s.Line)
	}
	return s.Name + " in " + s.File
}

// prefix is what errors about the value from s start with, in the form of
// config errors: "FILE:LINE: KEY", "--key-file", "$NIXSIGN_KEY_FILE".
func (s KeySource) prefix() string {
	switch {
	case s.Var:
		return "$" + s.Name
	case s.File == "":
		return s.Name
	case s.Line > 0:
		return fmt.Sprintf("%s:%d: %s", s.File, s.Line, s.Name)
	}
	return s.File + ": " + s.Name
}

// KeyError is a signing key that cannot be used, named by its source:
//
//	/home/u/.config/flox/flox.toml:3: publish.signing_private_key: /home/u/k.sec: has mode 0644, wider than 0600: ...; run: chmod 600 /home/u/k.sec
//
// Err is a *secretkey.FileError when the file breaks the key-file policy.
type KeyError struct {
	Source KeySource // zero when no source names a key
	Err    error
}

func (e *KeyError) Error() string {
	if e.Source.Name == "" {
		return e.Err.Error()
	}
	return e.Source.prefix() + ": " + e.Err.Error()
}

func (e *KeyError) Unwrap() error { return e.Err }

// ErrNoKey is the error of a KeyError when nothing names a key file.
var ErrNoKey = errors.New("no signing key configured: set key_file in nixsign's config ($NIXSIGN_CONFIG, ~/.config/nixsign/config.toml or /etc/nixsign/config.toml), " +
	"or publish.signing_private_key in flox's (nixsign config set publish.signing_private_key /absolute/path/key.sec), " +
	"or $NIXSIGN_KEY_FILE, or pass --key-file")

// KeyRef is the key file the hook signs with and where its path came from.
type KeyRef struct {
	Path   string
	Source KeySource
	// Warnings are problems with the value that do not stop the hook but
	// break other users of it, such as a space in flox's key path.
	Warnings []string
}

// ResolveKey finds the key file: flag (--key-file) over $NIXSIGN_KEY_FILE
// over key_file in nixsign's config (cfg, which may be nil) over
// publish.signing_private_key in flox's config. Flox's config is read only
// when nothing before it names a key. Errors are *KeyError, except for a
// flox.toml that cannot be read or parsed.
func ResolveKey(flag string, env config.Env, cfg *config.Config) (*KeyRef, error) {
	switch {
	case flag != "":
		return &KeyRef{Path: flag, Source: FlagSource}, nil
	case env.Vars["NIXSIGN_KEY_FILE"] != "":
		return &KeyRef{Path: env.Vars["NIXSIGN_KEY_FILE"], Source: EnvSource}, nil
	case cfg != nil && cfg.KeyFile != "":
		src := KeySource{Name: config.KeyFile}
		if s, ok := cfg.Source(config.KeyFile); ok {
			src.File, src.Line = s.File, s.Line
		}
		return &KeyRef{Path: cfg.KeyFile, Source: src}, nil
	}
	value, fsrc, ok, err := floxconf.SigningKey(floxconf.Env(env))
	if err != nil {
		return nil, fmt.Errorf("flox config: %w", err)
	}
	if !ok {
		return nil, &KeyError{Err: ErrNoKey}
	}
	src := KeySource{Name: floxconf.Key, File: fsrc.File, Line: fsrc.Line}
	if fsrc.Var != "" {
		src = KeySource{Name: fsrc.Var, Var: true}
	}
	// Validate with an empty source writes "publish.signing_private_key:
	// problem"; the KeyError puts the real source in front instead.
	warnings, err := floxconf.Validate(value, floxconf.Source{})
	if err != nil {
		return nil, &KeyError{Source: src, Err: errors.New(strings.TrimPrefix(err.Error(), floxconf.Key+": "))}
	}
	for i, w := range warnings {
		warnings[i] = src.prefix() + ": " + strings.TrimPrefix(w, floxconf.Key+": ")
	}
	return &KeyRef{Path: value, Source: src, Warnings: warnings}, nil
}

// Load reads the key file with the key-file policy of secretkey.Load;
// errors are *KeyError wrapping a *secretkey.FileError.
func (r *KeyRef) Load() (*secretkey.Key, error) {
	k, err := secretkey.Load(r.Path)
	if err != nil {
		return nil, &KeyError{Source: r.Source, Err: err}
	}
	return k, nil
}
