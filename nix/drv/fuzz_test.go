package drv

import "testing"

func FuzzParse(f *testing.F) {
	f.Add(readVector(f))
	out := `("out","` + p1 + `","","")`
	for _, s := range []string{
		wrap(out, "", ""),
		wrap(`("out","`+p1+`","r:sha256","`+h32+`")`, "", ""),
		wrap(`("a","","r:sha256","impure"),("b","","",""),("c","","sha256","")`, "", ""),
		wrap(out, `("`+p1+`.drv",["dev","out"]),("`+p2+`.drv",[])`, `("a\"\\\n\r\t","\x\y\\")`),
		`Derive([],[],["/a","/b"],"x","b",["\"",""],[])`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		roundTrip(t, data)
	})
}
