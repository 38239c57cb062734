package narinfo_test

import (
	"fmt"
	"log"

	"github.com/nixsign/nixsign/nix/narinfo"
)

func ExampleParse() {
	text := `StorePath: /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a
URL: nar/1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr.nar
Compression: none
FileHash: sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr
FileSize: 168
NarHash: sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr
NarSize: 168
References: z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt
Deriver: 509vmzxssa8q7cbjzr7dban5scdp6693-sigtest-a.drv
Sig: test-key-1:kLz1xZjqyqxZ6ZF5HcIuIkSA56mGBKPJhUV4RXv0S1H24saGksQp68YmZGseYvHESRPl8hohklSKW43uXU7IAA==
`
	n, err := narinfo.Parse("/nix/store", []byte(text), "qyg4k09x25qhai8v5zk0idkmv8mq4wwl.narinfo")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.Path())
	fmt.Println(n.NarHash.SRI(), n.NarSize)
	fmt.Println(n.ReferencePaths())
	fmt.Println(len(n.Sigs), "signature(s)")
	fmt.Println(n.String() == text)
	// Output:
	// /nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a
	// sha256-eXJmmBeMLnXyNsIePd0bF2RC+WszvPS/4EP2yDx0sf0= 168
	// [/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt]
	// 1 signature(s)
	// true
}
