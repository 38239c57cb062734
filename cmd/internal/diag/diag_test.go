package diag

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func TestCodeOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("x"), ExitFailure},
		{Wrap(ExitNoPerm, errors.New("x")), ExitNoPerm},
		{fmt.Errorf("outer: %w", Wrap(ExitConfig, errors.New("x"))), ExitConfig},
		{Silent{Code: ExitRestart}, ExitRestart},
		{Usagef("bad %s", "flag"), ExitUsage},
		{fmt.Errorf("open: %w", fs.ErrNotExist), ExitNoInput},
		{fmt.Errorf("open: %w", fs.ErrPermission), ExitNoPerm},
		{fmt.Errorf("create: %w", fs.ErrExist), ExitCantCreate},
	} {
		if got := CodeOf(c.err); got != c.want {
			t.Errorf("CodeOf(%v) = %d, want %d", c.err, got, c.want)
		}
	}
	if Wrap(ExitFailure, nil) != nil {
		t.Error("Wrap(nil) != nil")
	}
}

// Every diagnostic is exactly one line, whatever the message holds.
func TestPrinterOneLine(t *testing.T) {
	var b bytes.Buffer
	p := Printer{Prog: "nixsign", W: &b}
	p.Errorf("first\nsecond\n")
	p.Warnf("%d%%", 5)
	p.Hintf("h")
	want := "nixsign: error: first; second\nnixsign: warning: 5%\nnixsign: hint: h\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
