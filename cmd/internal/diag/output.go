package diag

import (
	"fmt"
	"io"
	"strings"
)

// Diagnostics go to stderr, one line each, as "<prog>: error: ...",
// "<prog>: warning: ..." or "<prog>: hint: ...". Results go to stdout.

// Printer writes diagnostics for one program.
type Printer struct {
	Prog string
	W    io.Writer
}

// Errorf prints an error line.
func (p Printer) Errorf(format string, args ...any) { p.line("error", format, args...) }

// Warnf prints a warning line.
func (p Printer) Warnf(format string, args ...any) { p.line("warning", format, args...) }

// Hintf prints a hint line.
func (p Printer) Hintf(format string, args ...any) { p.line("hint", format, args...) }

// Infof prints an informational line (used with --verbose).
func (p Printer) Infof(format string, args ...any) { p.line("info", format, args...) }

func (p Printer) line(kind, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	// One diagnostic is one line: fold any newline a wrapped error carries.
	msg = strings.ReplaceAll(strings.TrimRight(msg, "\n"), "\n", "; ")
	fmt.Fprintf(p.W, "%s: %s: %s\n", p.Prog, kind, msg)
}
