package nixconf

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"syscall"

	"github.com/nixsign/nixsign/internal/fsutil"
)

// maxIncludeDepth bounds include nesting. Nix has no bound (a cycle
// overflows its stack); cycles are reported as such, so this only stops
// endless chains of distinct paths, such as a symbolic link to ".".
const maxIncludeDepth = 100

// Load reads the configuration as a nix command started in env does (Nix
// 2.8.0's loadConfFile): $NIX_CONF_DIR/nix.conf, then the user files, then
// NIX_CONFIG, each later assignment overriding earlier ones. Files that
// cannot be read are skipped, as Nix skips them (see File.Err). The error, an
// *Error, is one that would stop Nix.
//
// Unlike Nix, Load does not read a file that is a named pipe (FIFO) or a
// device other than /dev/null, or is larger than 1 MiB: it returns an *Error
// (with Nix "") naming the file and what it is. Nix 2.8.0 blocks forever
// opening a named pipe that nothing writes to, runs out of memory reading
// /dev/zero, and reads a large file whole. A directory, or a file that
// cannot be opened, is skipped as Nix skips it; /dev/null is an empty file.
//
// The daemon runs Load too, in its own environment: besides the system file
// it reads its user's files (for root, ~root/.config/nix/nix.conf) and
// /etc/xdg/nix/nix.conf, which apply to every client.
func Load(env Env) (*Config, error) { return load(env, true) }

// LoadSystem reads only $NIX_CONF_DIR/nix.conf and what it includes: the
// layer that Nix treats as the system defaults, which a client never sends to
// the daemon, and which the daemon reads in any environment.
func LoadSystem(env Env) (*Config, error) { return load(env, false) }

func load(env Env, all bool) (*Config, error) {
	dir, err := env.confDir()
	if err != nil {
		return nil, err
	}
	var users []string
	if all {
		if users, err = env.userFiles(); err != nil {
			return nil, err
		}
	}
	l := &loader{env: &env, cfg: newConfig(dir, env)}
	if err := l.applyFile(dir+"/nix.conf", LayerSystem, Origin{}); err != nil {
		return nil, err
	}
	if !all {
		return l.cfg, nil
	}
	for i := len(users) - 1; i >= 0; i-- {
		if err := l.applyFile(users[i], LayerUser, Origin{}); err != nil {
			return nil, err
		}
	}
	if text, ok := env.Vars["NIX_CONFIG"]; ok {
		f := &File{Path: "NIX_CONFIG", Layer: LayerEnv}
		l.cfg.files = append(l.cfg.files, f)
		if err := l.apply(f, text); err != nil {
			// Nothing catches a system error here: it stops Nix.
			if se, ok := err.(*sysError); ok {
				return nil, &Error{File: se.at.File, Line: se.at.Line, Msg: se.msg, Nix: se.msg}
			}
			return nil, err
		}
	}
	return l.cfg, nil
}

type loader struct {
	env   *Env
	cfg   *Config
	stack []frame // the files being applied, outermost first
}

type frame struct{ path, dir, data string }

// sysError is Nix's SysError raised while applying a file: the nearest
// enclosing applyConfigFile swallows it, abandoning the rest of that file.
type sysError struct {
	at  Origin
	msg string
}

func (e *sysError) Error() string { return e.at.String() + ": " + e.msg }

// applyFile is Nix's applyConfigFile: read a file and apply it, ignoring
// system errors. from is the include line, if any.
func (l *loader) applyFile(p string, layer Layer, from Origin) error {
	f := &File{Path: p, Layer: layer, From: from}
	l.cfg.files = append(l.cfg.files, f)
	data, err := l.readFile(p)
	if err != nil {
		if refused(err) {
			var pe *fs.PathError
			msg := err.Error()
			if errors.As(err, &pe) {
				msg = pe.Err.Error()
			}
			return &Error{File: p, Msg: msg}
		}
		f.Err = err
		return nil
	}
	dir := dirOf(p)
	for i, fr := range l.stack {
		// The same text applied from the same directory includes the same
		// files again: Nix would recurse until its stack overflows.
		if fr.dir == dir && fr.data == data {
			var chain []string
			for _, fr := range l.stack[i:] {
				chain = append(chain, fr.path)
			}
			chain = append(chain, p)
			return &Error{File: from.File, Line: from.Line, Msg: "include cycle: " + strings.Join(chain, " -> ")}
		}
	}
	if len(l.stack) >= maxIncludeDepth {
		return &Error{File: from.File, Line: from.Line, Msg: "includes nested too deeply (more than 100 files)"}
	}
	if err := l.apply(f, data); err != nil {
		if se, ok := err.(*sysError); ok {
			f.Err = se
			return nil
		}
		return err
	}
	return nil
}

// apply is Nix's applyConfig: apply the lines of text, which came from f.
func (l *loader) apply(f *File, text string) error {
	dir := dirOf(f.Path)
	l.stack = append(l.stack, frame{f.Path, dir, text})
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()
	f.Lines = make([]Line, 0, countLines(text))
	var err error
	eachLine(text, func(ln Line, content string) bool {
		if ln.parse(content) != "" {
			err = syntaxError(f.Path, ln.Num, content)
			return false
		}
		f.Lines = append(f.Lines, ln)
		at := Origin{Layer: f.Layer, File: f.Path, Line: ln.Num}
		switch ln.Kind {
		case LineSetting:
			if problem := l.cfg.set(ln.Name, ln.Value, at); problem != "" {
				err = &Error{File: f.Path, Line: ln.Num, Msg: problem, Nix: problem}
			}
		case LineInclude, LineOptionalInclude:
			err = l.include(f, ln, dir, at)
		}
		return err == nil
	})
	return err
}

// include applies an include line of f.
func (l *loader) include(f *File, ln Line, dir string, at Origin) error {
	p := ln.Value
	if p[0] != '/' {
		p = dir + "/" + p
		if p[0] != '/' {
			msg := "not an absolute path: '" + p + "'"
			return &Error{File: f.Path, Line: ln.Num, Msg: msg, Nix: msg}
		}
	}
	p = path.Clean(p)
	exists, err := l.exists(p)
	if err != nil {
		return &sysError{at, "getting status of " + p + ": " + strerror(err)}
	}
	if exists {
		return l.applyFile(p, f.Layer, at)
	}
	if ln.Kind == LineOptionalInclude {
		return nil
	}
	return &Error{
		File: f.Path, Line: ln.Num,
		Msg: "file '" + p + "' not found",
		Nix: "file '" + p + "' included from '" + f.Path + "' not found",
	}
}

// dirOf is Nix's dirOf: the path up to its last '/', "/" or ".".
func dirOf(p string) string {
	switch i := strings.LastIndexByte(p, '/'); i {
	case -1:
		return "."
	case 0:
		return "/"
	default:
		return p[:i]
	}
}

// maxFileSize bounds the files Load reads; Nix has no bound.
const maxFileSize = 1 << 20

// readFile reads a file as Nix's readFile does (following symbolic links),
// but without blocking on a named pipe or reading more than maxFileSize
// bytes: see refused.
func (l *loader) readFile(p string) (string, error) {
	name := l.name(p)
	var data []byte
	var err error
	if l.env.FS != nil {
		data, err = fs.ReadFile(l.env.FS, name)
	} else {
		data, err = fsutil.ReadSmallFile(name, maxFileSize)
	}
	return string(data), err
}

// refused reports whether readFile's error is one where Nix would not
// have skipped the file: a named pipe, on which Nix blocks; a device, which
// Nix reads to its end, or until memory runs out (/dev/zero); a file larger
// than maxFileSize, which Nix reads. A directory fails for Nix too (EISDIR),
// so it is skipped, with os.ReadFile's very error.
func refused(err error) bool {
	return errors.Is(err, fsutil.ErrTooLarge) ||
		errors.Is(err, fsutil.ErrNotRegular) && !errors.Is(err, syscall.EISDIR)
}

// exists is Nix's pathExists: lstat succeeds. ENOENT and ENOTDIR mean no;
// other failures are errors.
func (l *loader) exists(p string) (bool, error) {
	name := l.name(p)
	var err error
	if l.env.FS != nil {
		_, err = fs.Lstat(l.env.FS, name)
	} else {
		_, err = os.Lstat(name)
	}
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false, nil
	}
	return false, err
}

// name turns a path as Nix names it into one for the os package or Env.FS.
// The C library sees a path only up to its first NUL byte.
func (l *loader) name(p string) string {
	if i := strings.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	if l.env.Dir != "" && !strings.HasPrefix(p, "/") {
		p = l.env.Dir + "/" + p
	}
	if l.env.FS == nil {
		return p
	}
	p = strings.TrimLeft(path.Clean("/"+p), "/")
	if p == "" {
		p = "."
	}
	return p
}

// strerror returns the text the C library gives for the error's errno
// ("Too many levels of symbolic links"), or the error's own text.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	if s != "" && 'a' <= s[0] && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
