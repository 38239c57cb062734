package refscan

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

const (
	h1 = "z45ailnkm27lnvhimqkhy08f6sh5m17d"
	h2 = "hgl6cwhlhzpznapan2nfnls2nyyv4lqb"
	h3 = "qyg4k09x25qhai8v5zk0idkmv8mq4wwl"
)

func scan(chunks []string, cands ...string) []string {
	s := NewScanner(cands)
	for _, c := range chunks {
		s.Write([]byte(c))
	}
	f := s.Found()
	slices.Sort(f)
	return f
}

func TestScan(t *testing.T) {
	text := "#!/bin/sh\nexec /nix/store/" + h1 + "-hello.txt and " + h2 + "zz\n"
	want := []string{h2, h1}
	slices.Sort(want)
	// Every way of cutting the text into two or three writes finds the same.
	for i := 0; i <= len(text); i++ {
		for j := i; j <= len(text); j += 7 {
			got := scan([]string{text[:i], text[i:j], text[j:]}, h1, h2, h3)
			if !slices.Equal(got, want) {
				t.Fatalf("cut at %d,%d: %v, want %v", i, j, got, want)
			}
		}
	}
	// Byte by byte.
	var bytewise []string
	for i := range len(text) {
		bytewise = append(bytewise, text[i:i+1])
	}
	if got := scan(bytewise, h1, h2, h3); !slices.Equal(got, want) {
		t.Fatalf("byte by byte: %v", got)
	}
}

func TestNoFalseMatches(t *testing.T) {
	for _, text := range []string{
		h1[:31],                        // too short
		h1[:31] + "e",                  // e is not a digit
		strings.ToUpper(h1),            // case matters
		h1[1:] + "0",                   // shifted
		"xx" + h1[:16] + "/" + h1[16:], // broken by a separator
	} {
		if got := scan([]string{text}, h1); len(got) != 0 {
			t.Errorf("%q: found %v", text, got)
		}
	}
	// Overlapping runs of digits longer than a hash still find it.
	if got := scan([]string{"0000" + h1 + "1111"}, h1); len(got) != 1 {
		t.Errorf("embedded in a longer run: %v", got)
	}
}

func FuzzScan(f *testing.F) {
	f.Add([]byte("/nix/store/"+h1+"-x"), 3)
	f.Fuzz(func(t *testing.T, data []byte, cut int) {
		want := bytes.Contains(data, []byte(h1))
		if cut < 0 || cut > len(data) {
			cut = len(data) / 2
		}
		got := scan([]string{string(data[:cut]), string(data[cut:])}, h1)
		if (len(got) == 1) != want {
			t.Fatalf("found %v, want %v", got, want)
		}
	})
}

func BenchmarkScan(b *testing.B) {
	cands := make([]string, 0, 1000)
	for i := range 1000 {
		c := []byte(h1)
		c[i%32], c[(i/32)%32] = '0', '1'
		cands = append(cands, string(c))
	}
	buf := bytes.Repeat([]byte("some text /nix/store/"+h2+"-name and more binary\x00\x01\xff "), 1<<14)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		s := NewScanner(cands)
		s.Write(buf)
	}
}
