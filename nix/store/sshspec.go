package store

// ssh-ng store URLs, and the ssh command line that Nix 2.8.0's SSHStore
// and SSHMaster make of them.

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// An sshSpec is a parsed ssh-ng://[USER@]HOST[:PORT]?PARAMS store URL.
type sshSpec struct {
	user, host string // host without brackets
	port       int    // 0: ssh's default
	key        string // ssh-key: the private key to use (-i)
	hostKey    []byte // base64-ssh-public-host-key, decoded
	compress   bool   // compress: ssh -C
	program    string // remote-program
	remote     string // remote-store: the store the remote program serves
}

// sshParams are the parameters of an ssh-ng URL that nixsign takes, those
// of Nix 2.8.0's SSHStoreConfig that change how the connection is made.
const sshParams = "ssh-key, remote-program, remote-store, compress or base64-ssh-public-host-key"

// parseSSHSpec parses an ssh-ng store URL. As in Nix, the parameters are
// percent-decoded and the host is not; a host (or user) that is empty or
// starts with '-' is refused, since ssh would take it for an option.
func parseSSHSpec(spec string) (*sshSpec, error) {
	shown := redactPassword(spec)
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrUnknownStore, shown, fmt.Sprintf(format, args...))
	}
	rest, ok := strings.CutPrefix(spec, "ssh-ng://")
	if !ok {
		return nil, bad("want ssh-ng://[USER@]HOST[:PORT]")
	}
	authority, query, _ := strings.Cut(rest, "?")
	s := &sshSpec{program: "nix-daemon"}
	if strings.ContainsAny(authority, "/#") {
		return nil, bad("want ssh-ng://[USER@]HOST[:PORT], with no path")
	}
	hostport := authority
	if i := strings.LastIndexByte(authority, '@'); i >= 0 {
		s.user, hostport = authority[:i], authority[i+1:]
		if s.user == "" || s.user[0] == '-' {
			return nil, bad("invalid SSH user name %q", s.user)
		}
		if strings.Contains(s.user, ":") {
			// USER:PASSWORD would end up in every message naming the
			// store, and ssh takes no password that way.
			return nil, bad("the user part must not hold a password (ssh authenticates with keys or its own prompt)")
		}
	}
	s.host = hostport
	if strings.HasPrefix(hostport, "[") { // [IPv6]:PORT
		h, p, ok := strings.Cut(hostport[1:], "]")
		if !ok || p != "" && !strings.HasPrefix(p, ":") {
			return nil, bad("invalid SSH host %q", hostport)
		}
		s.host = h
		if p != "" {
			if s.port, ok = parsePort(p[1:]); !ok {
				return nil, bad("invalid port %q", p[1:])
			}
		}
	} else if h, p, ok := strings.Cut(hostport, ":"); ok && !strings.Contains(p, ":") {
		s.host = h
		if s.port, ok = parsePort(p); !ok {
			return nil, bad("invalid port %q", p)
		}
	}
	if s.host == "" || s.host[0] == '-' {
		return nil, bad("invalid SSH host name %q", s.host)
	}
	if query == "" {
		return s, nil
	}
	for _, kv := range strings.Split(query, "&") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, bad("parameter %q has no value (want NAME=VALUE)", k)
		}
		v, err := url.PathUnescape(v)
		if err != nil {
			return nil, bad("parameter %s: %v", k, err)
		}
		switch k {
		case "ssh-key":
			s.key = v
		case "remote-program":
			if strings.TrimSpace(v) == "" {
				return nil, bad("remote-program is empty")
			}
			if v[0] == '-' {
				// The command is ssh's last argument: ssh would take it
				// for an option (such as -oProxyCommand=...).
				return nil, bad("remote-program %q starts with '-'", v)
			}
			s.program = v
		case "remote-store":
			s.remote = v
		case "compress":
			if s.compress, ok = parseNixBool(v); !ok {
				return nil, bad("compress=%s: want true or false", v)
			}
		case "base64-ssh-public-host-key":
			if s.hostKey, err = base64.StdEncoding.DecodeString(v); err != nil {
				return nil, bad("base64-ssh-public-host-key is not base64: %v", err)
			}
		default:
			return nil, bad("unsupported parameter %q (want %s)", k, sshParams)
		}
	}
	return s, nil
}

// redactPassword returns spec with the password of a USER:PASSWORD@ part,
// if any, replaced by "xxxxx", for messages.
func redactPassword(spec string) string {
	rest, ok := strings.CutPrefix(spec, "ssh-ng://")
	authority, query, hasQuery := strings.Cut(rest, "?")
	i := strings.LastIndexByte(authority, '@')
	if !ok || i < 0 {
		return spec
	}
	user, _, hasPassword := strings.Cut(authority[:i], ":")
	if !hasPassword {
		return spec
	}
	out := "ssh-ng://" + user + ":xxxxx" + authority[i:]
	if hasQuery {
		out += "?" + query
	}
	return out
}

func parsePort(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0 && n < 1<<16 && s[0] != '+' && s[0] != '0'
}

// parseNixBool reads a Boolean setting as Nix 2.8.0 does.
func parseNixBool(s string) (v, ok bool) {
	switch s {
	case "true", "yes", "1":
		return true, true
	case "false", "no", "0":
		return false, true
	}
	return false, false
}

// String returns the store's name, ssh-ng://[USER@]HOST[:PORT], as Nix's
// getUri does (without the parameters).
func (s *sshSpec) String() string {
	return "ssh-ng://" + s.authority()
}

func (s *sshSpec) authority() string {
	h := s.host
	if s.port != 0 {
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		h += ":" + strconv.Itoa(s.port)
	}
	if s.user != "" {
		h = s.user + "@" + h
	}
	return h
}

// destination is the host argument of ssh: [USER@]HOST.
func (s *sshSpec) destination() string {
	if s.user != "" {
		return s.user + "@" + s.host
	}
	return s.host
}

// command is the remote command, one argument that the remote user's shell
// runs, as in Nix 2.8.0 (ssh-store.cc openConnection):
// "REMOTE-PROGRAM --stdio", then " --store 'REMOTE-STORE'" if set.
func (s *sshSpec) command() string {
	cmd := s.program + " --stdio"
	if s.remote != "" {
		cmd += " --store " + shellEscape(s.remote)
	}
	return cmd
}

// args returns the arguments of ssh, after argv[0], as Nix 2.8.0's
// SSHMaster::startCommand builds them with one connection (no master):
//
//	HOST -x -a [NIX_SSHOPTS...] [-i KEY] [-oUserKnownHostsFile=FILE] [-C] [-pPORT] COMMAND
//
// NIX_SSHOPTS is split at spaces, tabs and newlines, with no quoting, as
// Nix's tokenizeString does. knownHosts is the file holding the host key
// when base64-ssh-public-host-key is set. Nix 2.8.0 knows no port: it passes
// HOST:PORT to ssh as the host name, which ssh cannot resolve; nixsign adds
// -pPORT where later Nix does, at the end of the common options.
func (s *sshSpec) args(sshOpts, knownHosts string) []string {
	args := []string{s.destination(), "-x", "-a"}
	args = append(args, strings.FieldsFunc(sshOpts, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})...)
	if s.key != "" {
		args = append(args, "-i", s.key)
	}
	if knownHosts != "" {
		args = append(args, "-oUserKnownHostsFile="+knownHosts)
	}
	if s.compress {
		args = append(args, "-C")
	}
	if s.port != 0 {
		args = append(args, "-p"+strconv.Itoa(s.port))
	}
	return append(args, s.command())
}

// knownHostsLine is the line of the known-hosts file that holds the host
// key: "HOST KEY", and with a port other than 22 "HOST,[HOST]:PORT KEY".
// ssh looks a host up as "HOST" on port 22 (whether or not the port is
// given) and as "[HOST]:PORT" on another port; naming both also covers a
// port set by NIX_SSHOPTS or ssh_config.
func (s *sshSpec) knownHostsLine() string {
	h := s.host
	if s.port != 0 && s.port != 22 {
		h += ",[" + s.host + "]:" + strconv.Itoa(s.port)
	}
	return h + " " + string(s.hostKey) + "\n"
}

// shellEscape quotes s for a POSIX shell as Nix's shellEscape does.
func shellEscape(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// shellQuote quotes an argument for display only when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%+=:,./_-") == "" {
		return s
	}
	return shellEscape(s)
}
