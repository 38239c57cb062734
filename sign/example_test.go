package sign_test

import (
	"fmt"

	"github.com/nixsign/nixsign/nix/hash"
	"github.com/nixsign/nixsign/nix/storepath"
	"github.com/nixsign/nixsign/sign"
)

func ExampleParsePublicKey() {
	k, err := sign.ParsePublicKey("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")
	if err != nil {
		panic(err)
	}
	fmt.Println(k.Name)
	fmt.Println(k)

	// Nix also accepts the key without its padding, and so does
	// ParsePublicKey; String shows the canonical form.
	k2, _ := sign.ParsePublicKey("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs\n")
	fmt.Println(k2.Equal(k))
	// Output:
	// test-key-1
	// test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=
	// true
}

func ExampleFingerprint() {
	p, _ := storepath.Parse("/nix/store", "/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a")
	narHash, _ := hash.Parse("sha256-eXJmmBeMLnXyNsIePd0bF2RC+WszvPS/4EP2yDx0sf0=")
	fp, err := sign.Fingerprint("/nix/store", p, narHash, 168,
		[]string{"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"})
	if err != nil {
		panic(err)
	}
	fmt.Println(fp)
	// Output:
	// 1;/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a;sha256:1zdifhycixj3w2zz9g1kdgwl4r0p3gfks7n26vr7ablc2yc6cwkr;168;/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt
}

func ExamplePublicKey_Verify() {
	k, _ := sign.ParsePublicKey("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")
	sig, err := sign.ParseSignature("test-key-1:5F1x2UaCBnCAgLVnC0lWhtBkaUPM7b9ejglSfR/bDdBWFbyeTU3SdbKiVJPHRPFvbNyJ8dI7hRxECplkJVScDw==")
	if err != nil {
		panic(err)
	}
	fp := "1;/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh;sha256:183p8jhjfcpk6kac6hxwp4gzp9brkvkibylz27jfbvgd5kqcq2jy;168;"
	fmt.Println(k.Verify(fp, sig))
	fmt.Println(k.Verify(fp+"/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt", sig))
	// Output:
	// true
	// false
}

func ExampleTrusted() {
	p, _ := storepath.ParseBase("l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev")
	ref1, _ := storepath.ParseBase("hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh")
	ref2, _ := storepath.ParseBase("qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a")
	narHash, _ := hash.Parse("sha256:12frmx2v5shc4x9rcc6az9xbb5x4aw2f4an24p7gqx2qbrzsgvws")
	info := &sign.PathInfo{
		Path: p, NarHash: narHash, NarSize: 224, References: []storepath.Path{ref1, ref2},
		Sigs: []string{"test-key-1:aJMYrYPgTSOtW7xqBCeHJyY3zKqsdAMLgKDVlxpn8FYp7sL8kfWnArwvwPQbi0aGvzuKtNU3zRQJMlTEd3YfCg=="},
	}
	k, _ := sign.ParsePublicKey("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs=")
	def, _ := sign.ParsePublicKey("cache.nixos.org-1:6NCHdD59X431o0gWypbMrAURkbJ16ZPMQFGspcDShjY=")

	for _, keys := range []*sign.KeySet{sign.NewNixKeySet(def), sign.NewNixKeySet(def, k)} {
		v, err := sign.Trusted("/nix/store", info, keys, 1)
		if err != nil {
			panic(err)
		}
		fmt.Println(v.OK, v.Reason)
	}
	// Output:
	// false 0 valid signatures, 1 needed; signed by keys not trusted here: "test-key-1"
	// true 1 valid signature, 1 needed (by "test-key-1")
}
