package store

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// StartOpen sends the daemon the first message of the handshake before it
// returns; Wait gives the store, over that same connection.
func TestStartOpen(t *testing.T) {
	ctx := context.Background()
	f := newFakeDaemon(t, fakePaths(t))
	for _, tt := range []struct {
		spec string
		env  map[string]string
	}{
		{"unix://" + f.sock, nil},
		{"daemon", map[string]string{"NIX_DAEMON_SOCKET_PATH": f.sock}},
		{"auto", map[string]string{"NIX_DAEMON_SOCKET_PATH": f.sock}},
		{"auto", map[string]string{"NIX_REMOTE": "daemon", "NIX_DAEMON_SOCKET_PATH": f.sock}},
		{"auto", map[string]string{"NIX_REMOTE": "unix://" + f.sock}},
	} {
		f.mu.Lock()
		before := f.conns
		f.mu.Unlock()
		var lines []string
		op := StartOpen(ctx, tt.spec, &Options{
			Getenv:  func(k string) string { return tt.env[k] },
			Timeout: 2 * time.Second,
			Explain: func(l string) { lines = append(lines, l) },
		})
		s, err := op.Wait()
		if err != nil {
			t.Fatalf("%s %v: %v", tt.spec, tt.env, err)
		}
		if s.String() != "daemon" {
			t.Errorf("%s %v: opened %s (%q)", tt.spec, tt.env, s, lines)
		}
		if _, err := SignPaths(ctx, s, testKey(t, "secret.key"), allPaths()); err != nil {
			t.Errorf("%s %v: SignPaths: %v", tt.spec, tt.env, err)
		}
		s.Close()
		f.mu.Lock()
		if n := f.conns - before; n != 1 {
			t.Errorf("%s %v: %d connections, want 1", tt.spec, tt.env, n)
		}
		f.mu.Unlock()
	}
}

// The greeting is on its way when StartOpen returns, before Wait; a daemon
// that then closes the connection makes Wait fail as Open would.
func TestStartOpenGreetsFirst(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	op := StartOpen(context.Background(), "unix://"+sock, &Options{Timeout: 2 * time.Second})
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	greeting := make([]byte, 16)
	if _, err := io.ReadFull(conn, greeting); err != nil {
		t.Fatalf("reading the greeting: %v", err)
	}
	if string(greeting[:4]) != "cxin" {
		t.Errorf("greeting %x", greeting)
	}
	conn.Close()
	_, err = op.Wait()
	var ue *UnavailableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "connection closed by the daemon") {
		t.Errorf("Wait: %v", err)
	}
}

// Without a daemon, StartOpen falls back as Open does, and says why.
func TestStartOpenFallback(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"NIX_DAEMON_SOCKET_PATH": dir + "/none", "NIX_STATE_DIR": dir}
	var lines []string
	s, err := StartOpen(context.Background(), "auto", &Options{
		Getenv:    func(k string) string { return env[k] },
		NixDaemon: dir + "/no-nix-daemon",
		Explain:   func(l string) { lines = append(lines, l) },
	}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.String() != "files" {
		t.Errorf("auto picked %s", s)
	}
	if got := strings.Join(lines, "\n"); !strings.Contains(got, "store: daemon: no socket at "+dir+"/none") {
		t.Errorf("explanation %q", got)
	}
	_, err = StartOpen(context.Background(), "unix://"+dir+"/none", nil).Wait()
	var ue *UnavailableError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "no socket at "+dir+"/none") {
		t.Errorf("unix://: %v", err)
	}
	s, err = StartOpen(context.Background(), "files", &Options{StoreDir: dir}).Wait()
	if err != nil || s.String() != "files" {
		t.Errorf("files: %v, %v", s, err)
	}
}

// Prefetched infos come with the end of the handshake and answer the first
// query of each path; later queries go to the daemon again.
func TestStartOpenPrefetch(t *testing.T) {
	ctx := context.Background()
	f := newFakeDaemon(t, fakePaths(t))
	paths := allPaths()
	missing := "/nix/store/" + strings.Repeat("0", 32) + "-missing"
	op := StartOpen(ctx, "unix://"+f.sock, &Options{Timeout: 2 * time.Second})
	op.Prefetch(append(slices.Clone(paths), missing))
	s, err := op.Wait()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ops := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.ops)
	}
	if n := ops(); n != len(paths)+1 {
		t.Fatalf("%d requests after Wait, want the %d prefetched", n, len(paths)+1)
	}
	infos, err := Infos(ctx, s, paths)
	if err != nil {
		t.Fatal(err)
	}
	for i, info := range infos {
		if info.Path.Abs(s.Dir()) != paths[i] || info.NarSize != vecs[i].narSize {
			t.Errorf("%s: %+v", paths[i], info)
		}
	}
	if _, err := s.PathInfo(ctx, missing); !isNotValid(err) {
		t.Errorf("missing path: %v", err)
	}
	if n := ops(); n != len(paths)+1 {
		t.Errorf("%d requests after the prefetched queries, want %d", n, len(paths)+1)
	}
	if _, err := Infos(ctx, s, paths[:1]); err != nil {
		t.Fatal(err)
	}
	if n := ops(); n != len(paths)+2 {
		t.Errorf("a second query of a path was answered from the prefetch (%d requests)", n)
	}
}

func isNotValid(err error) bool {
	var nv *NotValidError
	return errors.As(err, &nv)
}

// Close gives up on a daemon that has not answered, at once.
func TestStartOpenClose(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	op := StartOpen(context.Background(), "unix://"+sock, nil)
	conn, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	if err := op.Close(); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(conn); err != nil {
		t.Errorf("the daemon's end: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if _, err := op.Wait(); err == nil {
		t.Error("Wait after Close succeeded")
	}
}
