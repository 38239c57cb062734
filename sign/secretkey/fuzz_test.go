package secretkey

import (
	"bytes"
	"testing"
)

func FuzzParseSecretKey(f *testing.F) {
	good := []byte("test-key-1:UxMD/rhsYNRs3dG+yYmF+gmf48NkbzFMRdPvNwoe3KwTYLCPPNzmzKGVWwVnYha9s/6213PzJD554OPnQwQ4mw==")
	f.Add(good)
	f.Add(append(bytes.Clone(good), '\n'))
	f.Add([]byte("gbck-1:i6rlxKckRr3PqlA93b/TXWoncYQ3VvIPqq/I9q8+DdW+PAlA8lxB2x1LG2eBGFyADbI8poejXE8ZD324eLYE4A=="))
	f.Add([]byte("test-key-1:E2Cwjzzc5syhlVsFZ2IWvbP+ttdz8yQ+eeDj50MEOJs="))
	f.Add([]byte("a:b:c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Parse(data)
		if err != nil {
			if k != nil {
				t.Fatalf("failed parse returned %v", k)
			}
			if bytes.Contains([]byte(err.Error()), bytes.TrimSpace(data)) && len(bytes.TrimSpace(data)) >= 8 {
				t.Fatalf("error %q echoes the input", err)
			}
			return
		}
		enc := k.Encode()
		k2, err := Parse(enc)
		if err != nil || *k2.sk != *k.sk || k2.Name() != k.Name() || !bytes.Equal(k2.Encode(), enc) {
			t.Fatalf("round trip of %q: %v", data, err)
		}
		if !k.Public().Verify("x", k.Sign("x")) {
			t.Fatal("parsed key does not verify its own signature")
		}
	})
}
