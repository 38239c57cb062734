package nixconf

import "strconv"

// An Error is a configuration problem that makes Nix 2.8.0 refuse to start:
// every nix command, and the daemon, fail with it.
type Error struct {
	// File is the file at fault as Nix names it, "NIX_CONFIG", or the
	// environment variable at fault (NIX_CONF_DIR).
	File string
	// Line is the 1-based line in File; 0 when the problem is not on a line.
	Line int
	// Msg is the problem in Nix's words, less the file name Nix adds to some
	// messages (" in 'FILE'", " included from 'FILE'"), as File and Line say it.
	Msg string
	// Nix is the message exactly as Nix 2.8.0 prints it after "error: ", or ""
	// where Nix crashes instead (an include cycle overflows its stack; an
	// empty NIX_CONF_DIR fails an assertion).
	Nix string
}

// Error returns "file:line: msg", or "file: msg" when there is no line.
func (e *Error) Error() string {
	switch {
	case e.File == "":
		return e.Msg
	case e.Line == 0:
		return e.File + ": " + e.Msg
	}
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
}

// syntaxError is Nix's error for a line it cannot read; content is the line
// up to any '#', as Nix quotes it.
func syntaxError(file string, line int, content string) *Error {
	return &Error{
		File: file,
		Line: line,
		Msg:  "illegal configuration line '" + content + "'",
		Nix:  "illegal configuration line '" + content + "' in '" + file + "'",
	}
}
