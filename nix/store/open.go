package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/nixsign/nixsign/nix/cache"
	"github.com/nixsign/nixsign/nix/daemon"
	"github.com/nixsign/nixsign/nix/storepath"
	"golang.org/x/sys/unix"
)

// Options configure Open. The zero value (or nil) reads the environment of
// the process.
type Options struct {
	// StoreDir is the store directory; "" means storepath.Dir()
	// (NIX_STORE_DIR, else /nix/store).
	StoreDir string
	// Getenv reads the environment (NIX_REMOTE, NIX_DAEMON_SOCKET_PATH,
	// NIX_STATE_DIR, PATH); nil means os.Getenv.
	Getenv func(string) string
	// Explain, if set, is told which store auto picked and why, one line
	// at a time (for --verbose).
	Explain func(line string)
	// NixDaemon is the nix-daemon program for the local store; "" means
	// the one on PATH.
	NixDaemon string
	// Timeout bounds each daemon operation; zero means the protocol
	// client's default (30 s).
	Timeout time.Duration
	// CreateCache creates a file:// cache that does not exist yet.
	CreateCache bool
	// Log receives the daemon's log lines.
	Log func(line string)
}

func (o *Options) getenv(k string) string {
	if o.Getenv != nil {
		return o.Getenv(k)
	}
	return os.Getenv(k)
}

func (o *Options) explain(format string, args ...any) {
	if o.Explain != nil {
		o.Explain(fmt.Sprintf(format, args...))
	}
}

// Open opens the store that spec names:
//
//	auto          the daemon if its socket answers, else local if nix-daemon
//	              is on PATH and the store's database is writable, else files;
//	              NIX_REMOTE=daemon or local picks that one directly
//	daemon        the daemon's socket: $NIX_DAEMON_SOCKET_PATH, else
//	              $NIX_STATE_DIR/daemon-socket/socket, else /nix/var/nix/daemon-socket/socket
//	unix:///PATH  the daemon listening on PATH
//	local         `nix-daemon --stdio`, run with NIX_REMOTE=local
//	files         the files of the store directory, no database;
//	              files?root=DIR and files?real=DIR read them from
//	              DIR/<store dir> or DIR instead
//	file:///DIR   a binary cache directory
//
// A daemon that cannot be reached gives an *UnavailableError.
func Open(ctx context.Context, spec string, opts *Options) (Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	dir := opts.StoreDir
	if dir == "" {
		dir = storepath.DirFrom(opts.getenv)
	}
	switch {
	case spec == "" || spec == "auto":
		return openAuto(ctx, dir, opts)
	case spec == "daemon":
		return openDaemon(ctx, daemon.DefaultSocketPath(opts.getenv), dir, opts)
	case strings.HasPrefix(spec, "unix://"):
		return openDaemon(ctx, strings.TrimPrefix(spec, "unix://"), dir, opts)
	case spec == "local":
		return openLocal(ctx, dir, opts)
	case spec == "files" || strings.HasPrefix(spec, "files?"):
		return openFiles(spec, dir)
	case strings.HasPrefix(spec, "file://"):
		c, err := cache.Open(spec, dir, opts.CreateCache)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, fmt.Errorf("%w %q: want auto, daemon, local, files, unix:///SOCKET or file:///DIR", ErrUnknownStore, spec)
}

// ErrUnknownStore is wrapped by Open's error for a store spec it cannot
// parse.
var ErrUnknownStore = errors.New("unknown store")

func openAuto(ctx context.Context, dir string, opts *Options) (Store, error) {
	switch r := opts.getenv("NIX_REMOTE"); {
	case r == "daemon":
		opts.explain("store: NIX_REMOTE=daemon: using the daemon")
		return openDaemon(ctx, daemon.DefaultSocketPath(opts.getenv), dir, opts)
	case r == "local":
		opts.explain("store: NIX_REMOTE=local: using nix-daemon --stdio")
		return openLocal(ctx, dir, opts)
	case strings.HasPrefix(r, "unix://"):
		opts.explain("store: NIX_REMOTE=%s: using that daemon socket", r)
		return openDaemon(ctx, strings.TrimPrefix(r, "unix://"), dir, opts)
	case r != "" && r != "auto":
		opts.explain("store: NIX_REMOTE=%s is not a store nixsign opens by itself; trying auto", r)
	}
	sock := daemon.DefaultSocketPath(opts.getenv)
	if _, err := os.Stat(sock); err != nil {
		opts.explain("store: daemon: no socket at %s", sock)
	} else {
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := openDaemon(hctx, sock, dir, opts)
		cancel()
		if err == nil {
			opts.explain("store: picked daemon: %s answered", sock)
			return s, nil
		}
		opts.explain("store: daemon: %v", err)
	}
	if why, ok := localPossible(dir, opts); !ok {
		opts.explain("store: local: %s", why)
	} else {
		s, err := openLocal(ctx, dir, opts)
		if err == nil {
			opts.explain("store: picked local: %s", why)
			return s, nil
		}
		opts.explain("store: local: %v", err)
	}
	opts.explain("store: picked files: the NAR hash, size and references come from the files in %s", dir)
	return NewFiles(dir, ""), nil
}

// localPossible reports whether `nix-daemon --stdio` can serve the local
// store: it is installed and the store's database is writable.
func localPossible(dir string, opts *Options) (string, bool) {
	prog, err := nixDaemon(opts)
	if err != nil {
		return "nix-daemon is not installed", false
	}
	db := filepath.Join(stateDir(opts), "db")
	if err := unix.Access(db, unix.W_OK); err != nil {
		return fmt.Sprintf("%s is not writable (%v)", db, err), false
	}
	return fmt.Sprintf("%s found and %s is writable", prog, db), true
}

func stateDir(opts *Options) string {
	if s := opts.getenv("NIX_STATE_DIR"); s != "" {
		return s
	}
	return "/nix/var/nix"
}

func nixDaemon(opts *Options) (string, error) {
	if opts.NixDaemon != "" {
		return opts.NixDaemon, nil
	}
	return exec.LookPath("nix-daemon")
}

func clientOptions(dir string, opts *Options) *daemon.Options {
	return &daemon.Options{Timeout: opts.Timeout, StoreDir: dir, Log: opts.Log}
}

func openDaemon(ctx context.Context, sock, dir string, opts *Options) (Store, error) {
	c, err := daemon.Dial(ctx, sock, clientOptions(dir, opts))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("cannot connect to the Nix daemon: no socket at %s (is nix-daemon running?)", sock)
		} else if errors.Is(err, unix.ECONNREFUSED) {
			err = fmt.Errorf("cannot connect to the Nix daemon: nothing listens on %s (is nix-daemon running?)", sock)
		} else if errors.Is(err, fs.ErrPermission) {
			err = fmt.Errorf("cannot connect to the Nix daemon at %s: permission denied (allowed-users?)", sock)
		}
		return nil, &UnavailableError{Store: "daemon", Err: err}
	}
	return newDaemonStore("daemon", c, dir), nil
}

func openLocal(ctx context.Context, dir string, opts *Options) (Store, error) {
	prog, err := nixDaemon(opts)
	if err != nil {
		return nil, &UnavailableError{Store: "local", Err: fmt.Errorf("the local store needs nix-daemon: %v", err)}
	}
	cmd := exec.Command(prog, "--stdio")
	// Serve the local store itself: with NIX_REMOTE=daemon, nix-daemon
	// --stdio would only relay to the daemon.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "NIX_REMOTE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "NIX_REMOTE=local")
	c, err := daemon.StartCommand(ctx, cmd, clientOptions(dir, opts))
	if err != nil {
		return nil, &UnavailableError{Store: "local", Err: err}
	}
	return newDaemonStore("local", c, dir), nil
}

// openFiles parses files, files?root=DIR, files?real=DIR.
func openFiles(spec, dir string) (Store, error) {
	_, query, _ := strings.Cut(spec, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrUnknownStore, spec, err)
	}
	real := ""
	for k, v := range q {
		switch k {
		case "root":
			real = filepath.Join(v[len(v)-1], dir)
		case "real":
			real = v[len(v)-1]
		default:
			return nil, fmt.Errorf("%w %q: unknown parameter %q (want root or real)", ErrUnknownStore, spec, k)
		}
		if !filepath.IsAbs(real) {
			return nil, fmt.Errorf("%w %q: %s must be an absolute path", ErrUnknownStore, spec, k)
		}
	}
	if real == "" {
		real = dir
	}
	if st, err := os.Stat(real); err != nil {
		return nil, &UnavailableError{Store: "files", Err: fmt.Errorf("files store: %w", err)}
	} else if !st.IsDir() {
		return nil, &UnavailableError{Store: "files", Err: fmt.Errorf("files store: %s is not a directory", real)}
	}
	return NewFiles(dir, real), nil
}
