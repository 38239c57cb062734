package nixbase32_test

import (
	"encoding/hex"
	"fmt"

	"github.com/nixsign/nixsign/nix/nixbase32"
)

// The example of the package documentation: the SHA-256 of the NAR of a
// file holding "hello world\n", as `nix hash path --base16` and
// `nix hash path --base32` print it.
func ExampleEncodeToString() {
	digest, err := hex.DecodeString("34ca3ac63094d1d5751f741101692a78f95eedf10744b088129fc324dfd0f603")
	if err != nil {
		panic(err)
	}
	fmt.Println(nixbase32.EncodeToString(digest))
	// Output: 00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil
}

func ExampleDecodeString() {
	digest, err := nixbase32.DecodeString("00zns3gj9hwz2a4b0i07y7nmxybq59lh24bl3xsxblcl6333mjil")
	if err != nil {
		panic(err)
	}
	fmt.Printf("%x\n", digest)
	// Output: 34ca3ac63094d1d5751f741101692a78f95eedf10744b088129fc324dfd0f603
}
