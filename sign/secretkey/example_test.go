package secretkey_test

import (
	"fmt"

	"github.com/nixsign/nixsign/sign/secretkey"
)

func ExampleKey_Sign() {
	// A public test key; never use it for anything else.
	k, err := secretkey.Parse([]byte("test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw==\n"))
	if err != nil {
		panic(err)
	}
	fmt.Println(k) // never prints the key
	fmt.Println(k.Public())

	fp := "1;/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh;sha256:183p8jhjfcpk6kac6hxwp4gzp9brkvkibylz27jfbvgd5kqcq2jy;168;"
	sig := k.Sign(fp)
	fmt.Println(sig)
	fmt.Println(k.Public().Verify(fp, sig))
	// Output:
	// test-key-1:<secret>
	// test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
	// test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw==
	// true
}

func ExampleLoad() {
	_, err := secretkey.Load("keys/cache.key")
	fmt.Println(err.(*secretkey.FileError).Kind == secretkey.NotAbsolute)
	// Output:
	// true
}
