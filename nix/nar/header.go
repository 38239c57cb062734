package nar

import (
	"fmt"
	"strings"
)

// Type is the type of a node in a NAR.
type Type uint8

// The three node types of a NAR. There is nothing else: no hard links, devices,
// fifos or sockets, and no metadata besides the executable bit.
const (
	TypeRegular   Type = iota + 1 // a regular file, possibly executable
	TypeDirectory                 // a directory
	TypeSymlink                   // a symbolic link
)

// String returns the NAR token for t: "regular", "directory" or "symlink".
func (t Type) String() string {
	switch t {
	case TypeRegular:
		return "regular"
	case TypeDirectory:
		return "directory"
	case TypeSymlink:
		return "symlink"
	}
	return fmt.Sprintf("Type(%d)", uint8(t))
}

// Header describes one node of a NAR, as returned by [Reader.Next] and
// accepted by [Writer.WriteHeader].
//
// Path is the node's absolute path inside the NAR, the convention of
// `nix nar ls`: "/" for the root node, "/bin/hello" for the entry "hello"
// of the directory entry "bin" of the root.
type Header struct {
	Path       string // "/" for the root, else "/" + slash-separated names
	Type       Type   // TypeRegular, TypeDirectory or TypeSymlink
	Size       int64  // length of the contents (TypeRegular only)
	Executable bool   // the owner-exec bit (TypeRegular only)
	LinkTarget string // the symlink target, verbatim (TypeSymlink only)
}

// Limits enforced by [Reader] (as Nix 2.25+ does) and by [Writer], so that
// everything a Writer produces can be read back.
const (
	MaxNameLen   = 255  // longest entry name, in bytes
	MaxTargetLen = 4095 // longest symlink target, in bytes
	MaxDepth     = 1024 // deepest directory nesting below the root
	maxTagLen    = 32   // longest token ("nix-archive-1" is the longest valid one)
)

// validName reports why name cannot be a directory entry name, or "".
func validName(name string) string {
	switch {
	case name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00"):
		return fmt.Sprintf("NAR contains invalid file name '%s'", name)
	case len(name) > MaxNameLen:
		return fmt.Sprintf("NAR contains file name longer than %d bytes", MaxNameLen)
	}
	return ""
}

// splitPath splits a Header.Path other than "/" into its parent path and its
// last name. ok is false when p does not start with "/".
func splitPath(p string) (parent, name string, ok bool) {
	if !strings.HasPrefix(p, "/") {
		return "", "", false
	}
	i := strings.LastIndexByte(p, '/')
	parent, name = p[:i], p[i+1:]
	if parent == "" {
		parent = "/"
	}
	return parent, name, true
}

// joinPath is the inverse of splitPath.
func joinPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}
