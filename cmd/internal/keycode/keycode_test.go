package keycode

import (
	"errors"
	"fmt"
	"testing"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/sign/secretkey"
)

func TestWrap(t *testing.T) {
	for kind, want := range map[secretkey.Kind]int{
		secretkey.NotAbsolute: diag.ExitNoPerm, secretkey.Symlink: diag.ExitNoPerm, secretkey.NotRegular: diag.ExitNoPerm,
		secretkey.WrongOwner: diag.ExitNoPerm, secretkey.TooOpen: diag.ExitNoPerm, secretkey.Missing: diag.ExitNoInput,
		secretkey.Malformed: diag.ExitDataErr, secretkey.UnusableName: diag.ExitDataErr, secretkey.Unreadable: diag.ExitIOErr,
		secretkey.Exists: diag.ExitCantCreate, secretkey.Unwritable: diag.ExitCantCreate,
	} {
		err := fmt.Errorf("source: %w", &secretkey.FileError{Kind: kind})
		if got := diag.CodeOf(Wrap(err)); got != want {
			t.Errorf("%v: code %d, want %d", kind, got, want)
		}
	}
	plain := errors.New("plain")
	if Wrap(plain) != plain {
		t.Error("Wrap changed an error that is not a key-file error")
	}
}
