// Package keycode maps the ways a secret key file can fail the key-file
// policy (sign/secretkey) to nixsign's exit codes, for every command that
// loads a key: nixsign's, nixsign-hook's.
package keycode

import (
	"errors"

	"github.com/nixsign/nixsign/cmd/internal/diag"
	"github.com/nixsign/nixsign/sign/secretkey"
)

// Of returns the exit code for a key-file problem of kind k.
func Of(k secretkey.Kind) int {
	switch k {
	case secretkey.Missing:
		return diag.ExitNoInput
	case secretkey.Malformed, secretkey.UnusableName:
		return diag.ExitDataErr
	case secretkey.Exists, secretkey.Unwritable:
		return diag.ExitCantCreate
	case secretkey.Unreadable:
		return diag.ExitIOErr
	}
	return diag.ExitNoPerm // the path, type, owner or mode breaks the policy
}

// Wrap gives err the code of the *secretkey.FileError it holds, if any.
func Wrap(err error) error {
	var fe *secretkey.FileError
	if !errors.As(err, &fe) {
		return err
	}
	return diag.Wrap(Of(fe.Kind), err)
}
