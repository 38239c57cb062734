package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"os/user"
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
	// NIX_STATE_DIR, PATH, NIX_SSHOPTS); nil means os.Getenv.
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
	// NoFilesFallback stops auto from falling back to the files store
	// when Nix is installed (see Open): for commands whose result would
	// be wrong without Nix's database, such as signing (the files store
	// records no signature) and verifying (it has none to check).
	NoFilesFallback bool

	// Tests replace these; nil means os.Stat, exec.LookPath and
	// user.LookupGroupId.
	stat        func(name string) (fs.FileInfo, error)
	lookPath    func(prog string) (string, error)
	lookupGroup func(gid string) (*user.Group, error)
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
//	              NIX_REMOTE=daemon, local, unix://... or ssh-ng://... picks
//	              that one directly
//	daemon        the daemon's socket: $NIX_DAEMON_SOCKET_PATH, else
//	              $NIX_STATE_DIR/daemon-socket/socket, else /nix/var/nix/daemon-socket/socket
//	unix:///PATH  the daemon listening on PATH
//	local         `nix-daemon --stdio`, run with NIX_REMOTE=local
//	ssh-ng://[USER@]HOST[:PORT][?PARAMS]
//	              `ssh HOST nix-daemon --stdio`, run as Nix 2.8.0 runs it
//	              (see below); the store directory is this machine's
//	files         the files of the store directory, no database;
//	              files?root=DIR and files?real=DIR read them from
//	              DIR/<store dir> or DIR instead
//	file:///DIR   a binary cache directory
//
// A daemon that cannot be reached gives an *UnavailableError.
//
// For ssh-ng, Open runs ssh from PATH with the arguments of Nix 2.8.0's
// SSHMaster (one connection, no master):
//
//	ssh [USER@]HOST -x -a [$NIX_SSHOPTS...] [-i KEY] [-oUserKnownHostsFile=FILE] [-C] [-pPORT] COMMAND
//
// where COMMAND, one argument that the remote shell runs, is
// "PROGRAM --stdio", followed by " --store 'STORE'" with remote-store.
//
// with $NIX_SSHOPTS split at white space, unquoted, as Nix splits it. The
// parameters are Nix's: ssh-key=KEY, remote-program=PROGRAM (default
// nix-daemon), remote-store=STORE, compress=true, and
// base64-ssh-public-host-key=KEY (written to a temporary known-hosts file);
// any other is refused. Nix 2.8.0 takes no port (it hands HOST:PORT to ssh
// as the host name); nixsign passes -pPORT as later Nix does. ssh missing,
// ssh failing (exit status 255: the host unreachable, authentication
// refused) and the remote program missing (127) are each an
// *UnavailableError (Store "ssh-ng") that quotes ssh's last line of
// standard error. The store's NARs come over the connection (the
// protocol's NarFromPath).
//
// Auto takes only a missing socket (stat fails with ENOENT or ENOTDIR, as
// for Nix) as "no daemon". A socket that stat fails on otherwise, or that
// connect(2) is denied, such as one in a directory this user may not enter
// (Debian's /nix/var/nix/daemon-socket is mode 0770, group nix-users), is an
// *UnavailableError (Store "daemon", matching fs.ErrPermission) that names
// the directory and the group to join, where Nix fails with "getting status
// of '.../socket': Permission denied". A socket nothing listens on
// (ECONNREFUSED) is a daemon that is not running: auto goes on to local.
//
// With Options.NoFilesFallback, auto picks files only when there is no Nix
// on the machine at all: no state directory ($NIX_STATE_DIR, else
// /nix/var/nix), and neither nix-daemon nor nix-store on PATH. When Nix is
// installed but neither the daemon nor local can be used, it returns an
// *UnavailableError (Store "auto") saying why each could not be used; the
// caller can still ask for the files store by its name, "files".
func Open(ctx context.Context, spec string, opts *Options) (Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	return open(ctx, spec, storeDir(opts), opts, nil)
}

func storeDir(opts *Options) string {
	if opts.StoreDir != "" {
		return opts.StoreDir
	}
	return storepath.DirFrom(opts.getenv)
}

func open(ctx context.Context, spec, dir string, opts *Options, pre *predial) (Store, error) {
	switch {
	case spec == "" || spec == "auto":
		return openAuto(ctx, dir, opts, pre)
	case spec == "daemon":
		return openDaemon(ctx, daemon.DefaultSocketPath(opts.getenv), dir, opts, pre)
	case strings.HasPrefix(spec, "unix://"):
		return openDaemon(ctx, strings.TrimPrefix(spec, "unix://"), dir, opts, pre)
	case spec == "local":
		return openLocal(ctx, dir, opts)
	case strings.HasPrefix(spec, "ssh-ng://"):
		return openSSH(ctx, spec, dir, opts)
	case spec == "files" || strings.HasPrefix(spec, "files?"):
		return openFiles(spec, dir)
	case strings.HasPrefix(spec, "file://"):
		c, err := cache.Open(spec, dir, opts.CreateCache)
		if err != nil {
			return nil, err
		}
		return c, nil
	}
	return nil, fmt.Errorf("%w %q: want auto, daemon, local, files, unix:///SOCKET, ssh-ng://HOST or file:///DIR", ErrUnknownStore, spec)
}

// ErrUnknownStore is wrapped by Open's error for a store spec it cannot
// parse.
var ErrUnknownStore = errors.New("unknown store")

func openAuto(ctx context.Context, dir string, opts *Options, pre *predial) (Store, error) {
	switch r := opts.getenv("NIX_REMOTE"); {
	case r == "daemon":
		opts.explain("store: NIX_REMOTE=daemon: using the daemon")
		return openDaemon(ctx, daemon.DefaultSocketPath(opts.getenv), dir, opts, pre)
	case r == "local":
		opts.explain("store: NIX_REMOTE=local: using nix-daemon --stdio")
		return openLocal(ctx, dir, opts)
	case strings.HasPrefix(r, "unix://"):
		opts.explain("store: NIX_REMOTE=%s: using that daemon socket", r)
		return openDaemon(ctx, strings.TrimPrefix(r, "unix://"), dir, opts, pre)
	case strings.HasPrefix(r, "ssh-ng://"):
		opts.explain("store: NIX_REMOTE=%s: using that remote store", r)
		return openSSH(ctx, r, dir, opts)
	case r != "" && r != "auto":
		opts.explain("store: NIX_REMOTE=%s is not a store nixsign opens by itself; trying auto", r)
	}
	sock := daemon.DefaultSocketPath(opts.getenv)
	var failed []string // why each store of Nix's could not be used
	if _, err := opts.statFile(sock); err != nil {
		if !missing(err) {
			err = socketAccessError("getting status of", sock, err, opts)
			return nil, &UnavailableError{Store: "daemon", Err: err}
		}
		opts.explain("store: daemon: no socket at %s", sock)
		failed = append(failed, "daemon: no socket at "+sock)
	} else {
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		s, err := openDaemon(hctx, sock, dir, opts, pre)
		cancel()
		if err == nil {
			opts.explain("store: picked daemon: %s answered", sock)
			return s, nil
		}
		opts.explain("store: daemon: %v", err)
		if errors.Is(err, fs.ErrPermission) {
			return nil, err
		}
		failed = append(failed, "daemon: "+err.Error())
	}
	if why, ok := localPossible(dir, opts); !ok {
		opts.explain("store: local: %s", why)
		failed = append(failed, "local: "+why)
	} else {
		s, err := openLocal(ctx, dir, opts)
		if err == nil {
			opts.explain("store: picked local: %s", why)
			return s, nil
		}
		opts.explain("store: local: %v", err)
		failed = append(failed, "local: "+err.Error())
	}
	if opts.NoFilesFallback {
		if nix, ok := nixInstalled(opts); ok {
			err := fmt.Errorf("cannot use the Nix store: %s; not falling back to the files store, which neither reads nor records signatures, since Nix is installed (%s): name the files store to use it",
				strings.Join(failed, "; "), nix)
			return nil, &UnavailableError{Store: "auto", Err: err}
		}
		opts.explain("store: no Nix on this machine (no %s, no nix-daemon or nix-store on PATH)", stateDir(opts))
	}
	opts.explain("store: picked files: the NAR hash, size and references come from the files in %s", dir)
	return NewFiles(dir, ""), nil
}

func clientOptions(dir string, opts *Options) *daemon.Options {
	return &daemon.Options{Timeout: opts.Timeout, StoreDir: dir, Log: opts.Log}
}

// openDaemon connects to the daemon at sock, or finishes the connection
// that StartOpen started to it.
func openDaemon(ctx context.Context, sock, dir string, opts *Options, pre *predial) (Store, error) {
	var c *daemon.Client
	var err error
	var prefetched []daemon.PathInfoReply
	p := pre.take(sock)
	switch {
	case p == nil:
		c, err = daemon.Dial(ctx, sock, clientOptions(dir, opts))
	case p.err != nil:
		err = p.err
	case len(p.prefetch) > 0:
		var qerr error
		c, prefetched, qerr = p.d.FinishQueryPathInfos(ctx, p.prefetch)
		if c == nil {
			err = qerr
		}
		// Otherwise a failed query is the store's first query's to
		// report, as it would be without the prefetch: replies (nil for
		// a path refused before sending) hold it.
	default:
		c, err = p.d.Finish(ctx)
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("cannot connect to the Nix daemon: no socket at %s (is nix-daemon running?)", sock)
		} else if errors.Is(err, unix.ECONNREFUSED) {
			err = fmt.Errorf("cannot connect to the Nix daemon: nothing listens on %s (is nix-daemon running?)", sock)
		} else if errors.Is(err, fs.ErrPermission) {
			err = socketAccessError("connecting to", sock, err, opts)
		}
		return nil, &UnavailableError{Store: "daemon", Err: err}
	}
	s := newDaemonStore("daemon", c, dir)
	if prefetched != nil {
		s.prefetched = make(map[string]daemon.PathInfoReply, len(prefetched))
		for i, r := range prefetched {
			s.prefetched[p.prefetch[i]] = r
		}
	}
	return s, nil
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
