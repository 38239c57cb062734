package store

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fakeInfo is a FileInfo with the stat fields the access hint reads.
type fakeInfo struct{ st syscall.Stat_t }

func (f fakeInfo) Name() string       { return "" }
func (f fakeInfo) Size() int64        { return 0 }
func (f fakeInfo) Mode() fs.FileMode  { return fs.ModeDir | fs.FileMode(f.st.Mode&0o777) }
func (f fakeInfo) ModTime() time.Time { return time.Time{} }
func (f fakeInfo) IsDir() bool        { return true }
func (f fakeInfo) Sys() any           { return &f.st }

// closedTree is a stat that sees / and /nix/var/nix/daemon-socket, mode
// 0770 root:995 as Debian ships it, and is refused what lies inside, as
// a user outside group 995 is.
func closedTree(mode uint32) func(string) (fs.FileInfo, error) {
	return func(name string) (fs.FileInfo, error) {
		switch name {
		case "/", "/nix", "/nix/var", "/nix/var/nix":
			return fakeInfo{syscall.Stat_t{Mode: syscall.S_IFDIR | 0o755}}, nil
		case "/nix/var/nix/daemon-socket":
			return fakeInfo{syscall.Stat_t{Mode: syscall.S_IFDIR | mode, Gid: 995}}, nil
		}
		if strings.HasPrefix(name, "/nix/var/nix/daemon-socket/") {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: syscall.EACCES}
		}
		return nil, &fs.PathError{Op: "stat", Path: name, Err: syscall.ENOENT}
	}
}

func nixUsers(gid string) (*user.Group, error) {
	if gid == "995" {
		return &user.Group{Gid: gid, Name: "nix-users"}, nil
	}
	return nil, user.UnknownGroupIdError(gid)
}

func me(t *testing.T) string {
	u, err := user.Current()
	if err != nil {
		t.Skip(err)
	}
	return u.Username
}

// A socket that stat is refused (EACCES) is not a missing socket: auto
// fails, naming the directory and the group to join, rather than going on
// to local and files, whether or not the files store may be its fallback.
func TestAutoSocketPermission(t *testing.T) {
	sock := "/nix/var/nix/daemon-socket/socket"
	for _, tt := range []struct {
		mode uint32
		want string
	}{
		{0o770, "cannot connect to the Nix daemon: getting status of " + sock + ": permission denied; " +
			"/nix/var/nix/daemon-socket (mode 0770, owner root, group nix-users) lets in only its owner and group: " +
			"add " + me(t) + " to the group nix-users (usermod -aG nix-users " + me(t) + ") and log in again"},
		{0o700, "cannot connect to the Nix daemon: getting status of " + sock + ": permission denied; " +
			"/nix/var/nix/daemon-socket (mode 0700, owner root) lets in only its owner: run as root"},
	} {
		for _, noFallback := range []bool{false, true} {
			var lines []string
			s, err := Open(context.Background(), "auto", &Options{
				Getenv:          func(string) string { return "" },
				NoFilesFallback: noFallback,
				Explain:         func(l string) { lines = append(lines, l) },
				stat:            closedTree(tt.mode),
				lookupGroup:     nixUsers,
			})
			if err == nil {
				s.Close()
				t.Errorf("mode %04o: auto opened %s (%q)", tt.mode, s, lines)
				continue
			}
			var ue *UnavailableError
			if !errors.As(err, &ue) || ue.Store != "daemon" || !errors.Is(err, fs.ErrPermission) || err.Error() != tt.want {
				t.Errorf("mode %04o: Open = %#v\n got %v\nwant %s", tt.mode, err, err, tt.want)
			}
			if got := strings.Join(lines, "\n"); strings.Contains(got, "picked") {
				t.Errorf("mode %04o: explanation %q", tt.mode, got)
			}
		}
	}
}

// With NoFilesFallback, auto picks files only when Nix is nowhere on the
// machine; otherwise it says what it tried and why each failed.
func TestAutoNoFilesFallback(t *testing.T) {
	dir := t.TempDir()
	none := filepath.Join(dir, "none")
	notFound := func(string) (string, error) { return "", errors.New("not found") }
	for _, tt := range []struct {
		name       string
		state      string
		lookPath   func(string) (string, error)
		noFallback bool
		want       string // the error, "" for files
	}{
		{"state dir exists", dir, notFound, true,
			"cannot use the Nix store: daemon: no socket at " + none + "/sock; local: " + dir + "/db is not writable (no such file or directory); " +
				"not falling back to the files store, which neither reads nor records signatures, since Nix is installed (" + dir + " exists): name the files store to use it"},
		{"nix-store on PATH", none, func(p string) (string, error) {
			if p == "nix-store" {
				return "/usr/bin/nix-store", nil
			}
			return "", errors.New("not found")
		}, true, "since Nix is installed (/usr/bin/nix-store is installed)"},
		{"no Nix", none, notFound, true, ""},
		{"fallback allowed", dir, notFound, false, ""},
	} {
		var lines []string
		opts := &Options{
			Getenv: func(k string) string {
				return map[string]string{"NIX_DAEMON_SOCKET_PATH": none + "/sock", "NIX_STATE_DIR": tt.state}[k]
			},
			StoreDir:        dir, // not this machine's /nix/store, which may not exist
			NixDaemon:       filepath.Join(dir, "nix-daemon"),
			NoFilesFallback: tt.noFallback,
			Explain:         func(l string) { lines = append(lines, l) },
			lookPath:        tt.lookPath,
		}
		s, err := Open(context.Background(), "auto", opts)
		if tt.want == "" {
			if err != nil || s.String() != "files" {
				t.Errorf("%s: Open = %v, %v; want files", tt.name, s, err)
			} else {
				s.Close()
			}
			if tt.noFallback && !strings.Contains(strings.Join(lines, "\n"), "store: no Nix on this machine (no "+none+", no nix-daemon or nix-store on PATH)") {
				t.Errorf("%s: explanation %q", tt.name, lines)
			}
			continue
		}
		var ue *UnavailableError
		if !errors.As(err, &ue) || ue.Store != "auto" || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Open = %v, %v\nwant error containing %s", tt.name, s, err, tt.want)
		}
		if got := strings.Join(lines, "\n"); strings.Contains(got, "picked") {
			t.Errorf("%s: explanation %q", tt.name, got)
		}
		// The files store is still there for the asking.
		if s, err := Open(context.Background(), "files", opts); err != nil || s.String() != "files" {
			t.Errorf("%s: files: %v, %v", tt.name, s, err)
		}
	}
}

// A daemon socket whose connection is refused for permission fails auto
// too, with the same explanation as stat's.
func TestAutoConnectPermission(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root connects to any socket")
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := os.Chmod(sock, 0o000); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), "auto", &Options{
		Getenv: func(k string) string { return map[string]string{"NIX_DAEMON_SOCKET_PATH": sock}[k] },
	})
	var ue *UnavailableError
	if !errors.As(err, &ue) || !errors.Is(err, fs.ErrPermission) ||
		!strings.HasPrefix(err.Error(), "cannot connect to the Nix daemon: connecting to "+sock+": permission denied") {
		t.Errorf("Open = %v", err)
	}
}

// Another failure to stat the socket (ELOOP here) is no more a missing
// socket than EACCES is, and is reported as it is.
func TestAutoSocketStatError(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "loop")
	if err := os.Symlink("loop", sock); err != nil {
		t.Fatal(err)
	}
	s, err := Open(context.Background(), "auto", &Options{
		Getenv: func(k string) string { return map[string]string{"NIX_DAEMON_SOCKET_PATH": sock}[k] },
	})
	var ue *UnavailableError
	want := "cannot connect to the Nix daemon: getting status of " + sock + ": too many levels of symbolic links"
	if !errors.As(err, &ue) || ue.Store != "daemon" || err.Error() != want {
		t.Errorf("Open = %v, %v; want %s", s, err, want)
	}
}
