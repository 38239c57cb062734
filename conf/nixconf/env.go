package nixconf

import (
	"io/fs"
	"os"
	"os/user"
	"path"
	"strings"
)

// Env is everything outside the files that decides which files Nix reads.
// Load reads nothing else from the process, so tests can describe a machine
// completely.
type Env struct {
	// Vars are the environment variables. Only these are consulted:
	// NIX_CONF_DIR, NIX_USER_CONF_FILES, XDG_CONFIG_HOME, XDG_CONFIG_DIRS,
	// HOME, NIX_CONFIG and NIX_REMOTE (the default of the store setting). A
	// variable set to "" is not the same as an unset one.
	Vars map[string]string
	// Home is the home directory in the user database, which Nix uses when
	// HOME is unset.
	Home string
	// DefaultConfDir is NIX_CONF_DIR's compiled-in default; "" means
	// "/etc/nix", the value in every common build of Nix.
	DefaultConfDir string
	// Dir is the directory that relative paths in NIX_USER_CONF_FILES or
	// XDG_CONFIG_HOME are read from; "" means the process's working directory.
	Dir string
	// FS, if not nil, replaces the operating system's files: the path
	// /etc/nix/nix.conf is read as "etc/nix/nix.conf" in FS.
	FS fs.FS
}

// envVars are the variables Env.Vars may hold.
var envVars = []string{
	"NIX_CONF_DIR", "NIX_USER_CONF_FILES", "XDG_CONFIG_HOME", "XDG_CONFIG_DIRS",
	"HOME", "NIX_CONFIG", "NIX_REMOTE",
}

// OSEnv returns the environment of the running process, as a nix command
// started from it would see it.
func OSEnv() Env {
	env := Env{Vars: make(map[string]string)}
	for _, k := range envVars {
		if v, ok := os.LookupEnv(k); ok {
			env.Vars[k] = v
		}
	}
	if _, ok := env.Vars["HOME"]; !ok {
		if u, err := user.Current(); err == nil {
			env.Home = u.HomeDir
		}
	}
	return env
}

// confDir returns the canonical $NIX_CONF_DIR (Settings::nixConfDir).
func (env *Env) confDir() (string, error) {
	dir, ok := env.Vars["NIX_CONF_DIR"]
	if !ok {
		dir = env.DefaultConfDir
		if dir == "" {
			dir = "/etc/nix"
		}
	}
	if dir == "" || dir[0] != '/' {
		e := &Error{File: "NIX_CONF_DIR", Msg: "not an absolute path: '" + dir + "'"}
		if dir != "" {
			e.Nix = e.Msg
		}
		return "", e
	}
	return path.Clean(dir), nil
}

// userFiles returns the user configuration files in the order Nix lists them
// (getUserConfigFiles); Nix applies them in reverse, so the first wins.
func (env *Env) userFiles() ([]string, error) {
	if list, ok := env.Vars["NIX_USER_CONF_FILES"]; ok {
		return splitPathList(list), nil
	}
	configHome, ok := env.Vars["XDG_CONFIG_HOME"]
	if !ok {
		home, ok := env.Vars["HOME"]
		if !ok {
			if env.Home == "" {
				return nil, &Error{File: "HOME", Msg: "cannot determine user's home directory", Nix: "cannot determine user's home directory"}
			}
			home = env.Home
		}
		configHome = home + "/.config"
	}
	dirs, ok := env.Vars["XDG_CONFIG_DIRS"]
	if !ok {
		dirs = "/etc/xdg"
	}
	files := []string{configHome + "/nix/nix.conf"}
	for _, d := range splitPathList(dirs) {
		files = append(files, d+"/nix/nix.conf")
	}
	return files, nil
}

// splitPathList splits a ':'-separated list, dropping empty elements (Nix's
// tokenizeString).
func splitPathList(s string) []string {
	var list []string
	for _, p := range strings.Split(s, ":") {
		if p != "" {
			list = append(list, p)
		}
	}
	return list
}
