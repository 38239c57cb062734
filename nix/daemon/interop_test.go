package daemon

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Interop tests against the real Nix on PATH (CI: Debian's nix-bin 2.8.0).
// They run as root, where `nix-daemon --stdio` serves the local store.

const nixConfig = "experimental-features = nix-command flakes\nsandbox = false\nsubstituters ="

func requireNix(t *testing.T) {
	t.Helper()
	for _, bin := range []string{"nix", "nix-build", "nix-daemon"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not in PATH", bin)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root, for nix-daemon --stdio to serve the local store")
	}
}

// nixEnv is the environment for Nix commands: the test config, and no
// variables that would send them to another daemon.
func nixEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "NIX_REMOTE" && k != "NIX_DAEMON_SOCKET_PATH" && k != "NIX_CONFIG" {
			env = append(env, kv)
		}
	}
	return append(append(env, "NIX_CONFIG="+nixConfig), extra...)
}

func runNix(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = nixEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out))
}

// buildPaths builds two fresh input-addressed paths, top referring to dep.
func buildPaths(t *testing.T) (top, dep string) {
	t.Helper()
	id := time.Now().UnixNano()
	expr := fmt.Sprintf(`let
  dep = derivation { name = "nixsign-daemon-dep-%d"; system = builtins.currentSystem; builder = "/bin/sh"; args = ["-c" "echo hi > $out"]; };
in derivation { name = "nixsign-daemon-test-%d"; system = builtins.currentSystem; builder = "/bin/sh"; args = ["-c" "echo ${dep} > $out"]; }`, id, id)
	top = runNix(t, "nix-build", "--no-out-link", "-E", expr)
	dep = strings.TrimSpace(runNix(t, "nix-store", "-q", "--references", top))
	return top, dep
}

type jsonInfo struct {
	Path             string   `json:"path"`
	NarHash          string   `json:"narHash"`
	NarSize          uint64   `json:"narSize"`
	References       []string `json:"references"`
	Deriver          string   `json:"deriver"`
	RegistrationTime int64    `json:"registrationTime"`
	Ultimate         bool     `json:"ultimate"`
	Signatures       []string `json:"signatures"`
	CA               string   `json:"ca"`
}

func pathInfoJSON(t *testing.T, p string) jsonInfo {
	t.Helper()
	var infos []jsonInfo
	if err := json.Unmarshal([]byte(runNix(t, "nix", "path-info", "--json", p)), &infos); err != nil || len(infos) != 1 {
		t.Fatalf("nix path-info --json: %v %v", infos, err)
	}
	return infos[0]
}

func randomSig(t *testing.T) string {
	b := make([]byte, 64)
	rand.Read(b)
	return fmt.Sprintf("nixsign-test-%d:%s", time.Now().UnixNano(), base64.StdEncoding.EncodeToString(b))
}

// exercise runs every operation against a real daemon and compares with the
// nix command line.
func exercise(t *testing.T, c *Client) {
	top, dep := buildPaths(t)
	missing := "/nix/store/" + strings.Repeat("0", 32) + "-nixsign-not-there"

	info, ok, err := c.QueryPathInfo(ctx, top)
	if err != nil || !ok {
		t.Fatalf("QueryPathInfo(%s) = %v, %v", top, ok, err)
	}
	j := pathInfoJSON(t, top)
	digest, err := hex.DecodeString(info.NarHash)
	if err != nil || len(digest) != 32 {
		t.Fatalf("NarHash %q is not base16 SHA-256", info.NarHash)
	}
	got := jsonInfo{info.Path, "sha256-" + base64.StdEncoding.EncodeToString(digest), info.NarSize,
		info.References, info.Deriver, info.RegistrationTime, info.Ultimate, info.Sigs, info.CA}
	if !slices.Equal(got.References, []string{dep}) || fmt.Sprint(got) != fmt.Sprint(j) {
		t.Errorf("QueryPathInfo:\n got %+v\nnix path-info --json:\n     %+v", got, j)
	}
	if _, ok, err := c.QueryPathInfo(ctx, missing); ok || err != nil {
		t.Errorf("QueryPathInfo(missing) = %v, %v", ok, err)
	}

	for p, want := range map[string]bool{top: true, dep: true, missing: false} {
		if valid, err := c.IsValidPath(ctx, p); valid != want || err != nil {
			t.Errorf("IsValidPath(%s) = %v, %v", p, valid, err)
		}
	}
	valid, err := c.QueryValidPaths(ctx, []string{top, missing, dep}, false)
	if err != nil || !slices.Equal(valid, sortedSet([]string{top, dep})) {
		t.Errorf("QueryValidPaths = %q, %v", valid, err)
	}
	if p, err := c.QueryPathFromHashPart(ctx, top[11:43]); p != top || err != nil {
		t.Errorf("QueryPathFromHashPart = %q, %v", p, err)
	}
	if p, err := c.QueryPathFromHashPart(ctx, missing[11:43]); p != "" || err != nil {
		t.Errorf("QueryPathFromHashPart(missing) = %q, %v", p, err)
	}

	// The daemon does not check signatures, and keeps the union.
	sig1, sig2 := randomSig(t), randomSig(t)
	if err := c.AddSignatures(ctx, top, []string{sig1}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddSignatures(ctx, top, []string{sig2, sig1}); err != nil {
		t.Fatal(err)
	}
	out := runNix(t, "nix", "path-info", "--sigs", top)
	if !strings.Contains(out, sig1) || !strings.Contains(out, sig2) {
		t.Errorf("nix path-info --sigs: %s\nmissing %s or %s", out, sig1, sig2)
	}
	info, _, err = c.QueryPathInfo(ctx, top)
	if err != nil || !slices.Equal(info.Sigs, sortedSet([]string{sig1, sig2})) {
		t.Errorf("Sigs = %q, %v", info.Sigs, err)
	}
	exerciseBatch(t, c, top, dep, missing)
}

func checkVersion(t *testing.T, c *Client) {
	t.Helper()
	v := strings.Fields(runNix(t, "nix-daemon", "--version"))
	if minor(c.ProtocolVersion()) >= 33 && c.DaemonVersion() != v[len(v)-1] {
		t.Errorf("DaemonVersion() = %q, nix-daemon --version says %q", c.DaemonVersion(), v)
	}
	t.Logf("protocol %#x, Nix %s, trust %v", c.ProtocolVersion(), c.DaemonVersion(), c.Trust())
}

func startStdio(t *testing.T) (*Client, *exec.Cmd) {
	cmd := exec.Command("nix-daemon", "--stdio")
	cmd.Env = nixEnv()
	c, err := StartCommand(ctx, cmd, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, cmd
}

func TestInteropStdio(t *testing.T) {
	requireNix(t)
	c, _ := startStdio(t)
	checkVersion(t, c)
	exercise(t, c)
	if err := c.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// Nix 2.8.0's daemon crashes (LocalStore::addSignatures dereferences the
// missing path info) on AddSignatures of a path that is not valid: the
// client reports a closed connection, with the reason.
func TestInteropAddSignaturesInvalidPath(t *testing.T) {
	requireNix(t)
	c, _ := startStdio(t)
	missing := "/nix/store/" + strings.Repeat("1", 32) + "-nixsign-not-there"
	err := c.AddSignatures(ctx, missing, []string{randomSig(t)})
	if re, ok := isRemote(err); ok {
		if !strings.Contains(re.Message, "is not valid") {
			t.Fatalf("AddSignatures: %v", err)
		}
		t.Logf("this daemon refuses cleanly: %v", err)
		return
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "connection closed by the daemon") {
		t.Fatalf("AddSignatures: %v", err)
	}
	t.Logf("AddSignatures of a missing path: %v", err)
	if _, err2 := c.IsValidPath(ctx, missing); err2 != err {
		t.Errorf("after the crash: %v", err2)
	}

}

// startSocketDaemon runs nix-daemon on a socket of its own, with extra
// config lines; the returned function kills it and the workers it forked.
func startSocketDaemon(t *testing.T, extraConfig string) (socket string, kill func()) {
	t.Helper()
	dir := t.TempDir()
	socket = filepath.Join(dir, "socket")
	logs, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	cmd := exec.Command("nix-daemon")
	cmd.Env = nixEnv("NIX_DAEMON_SOCKET_PATH="+socket, "NIX_CONFIG="+nixConfig+"\n"+extraConfig)
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	kill = func() {
		once.Do(func() {
			// Nix 2.8.0 serves each connection in a child that calls
			// setsid and outlives the daemon: kill those first.
			pid := cmd.Process.Pid
			children, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
			for _, f := range strings.Fields(string(children)) {
				if child, err := strconv.Atoi(f); err == nil {
					syscall.Kill(child, syscall.SIGKILL)
				}
			}
			cmd.Process.Kill()
			cmd.Wait()
		})
	}
	t.Cleanup(kill)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		// The socket file appears at bind(), before listen().
		if conn, err := net.Dial("unix", socket); err == nil {
			conn.Close()
			return socket, kill
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(logs.Name())
			t.Fatalf("nix-daemon did not create %s:\n%s", socket, b)
		}
	}
}

func TestInteropSocket(t *testing.T) {
	requireNix(t)
	socket, kill := startSocketDaemon(t, "")
	c, err := Dial(ctx, socket, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkVersion(t, c)
	exercise(t, c)

	// The daemon goes away in the middle of a run.
	kill()
	_, err = c.IsValidPath(ctx, "/nix/store/"+strings.Repeat("0", 32)+"-x")
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "nix-daemon IsValidPath: connection closed by the daemon") {
		t.Fatalf("after kill: %v", err)
	}
	if _, err := Dial(ctx, socket, nil); err == nil {
		t.Fatal("Dial succeeded after kill")
	}
}

// A client outside trusted-users may not add signatures; the connection
// survives the refusal.
func TestInteropNotTrusted(t *testing.T) {
	requireNix(t)
	socket, _ := startSocketDaemon(t, "trusted-users = nobody")
	c, err := Dial(ctx, socket, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	top, _ := buildPaths(t)
	err = c.AddSignatures(ctx, top, []string{randomSig(t)})
	re, ok := isRemote(err)
	if !ok || re.Message != "you are not privileged to add signatures" {
		t.Fatalf("AddSignatures: %#v", err)
	}
	if valid, err := c.IsValidPath(ctx, top); !valid || err != nil {
		t.Fatalf("IsValidPath after the refusal = %v, %v", valid, err)
	}
	// Each path of a batch gets the refusal; the connection survives.
	errs, err := c.AddSignaturesMany(ctx, []string{top, top}, [][]string{{randomSig(t)}, {randomSig(t)}})
	for _, e := range errs {
		if re, ok := isRemote(e); err != nil || !ok || re.Message != "you are not privileged to add signatures" {
			t.Fatalf("AddSignaturesMany = %v, %v", errs, err)
		}
	}
	if valid, err := c.IsValidPath(ctx, top); !valid || err != nil {
		t.Fatalf("IsValidPath after the refusals = %v, %v", valid, err)
	}
}
