package store

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/nixsign/nixsign/sign"
	"github.com/nixsign/nixsign/sign/secretkey"
)

func TestTmpPhases(t *testing.T) {
	pf := os.Getenv("TMP_PATHS")
	if pf == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(pf)
	paths := strings.Fields(string(b))
	ctx := context.Background()
	t0 := time.Now()
	s, err := Open(ctx, "daemon", nil)
	if err != nil {
		t.Fatal(err)
	}
	t1 := time.Now()
	infos, err := Infos(ctx, s, paths)
	if err != nil {
		t.Fatal(err)
	}
	t2 := time.Now()
	kb, _ := os.ReadFile(os.Getenv("TMP_KEY"))
	k, err := secretkey.Parse(kb)
	if err != nil {
		t.Fatal(err)
	}
	t3 := time.Now()
	if _, err := SignInfos(ctx, s, k, infos); err != nil {
		t.Fatal(err)
	}
	t4 := time.Now()
	t.Logf("open %v infos %v sign %v add %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2), t4.Sub(t3))
}

func TestTmpTwoConns(t *testing.T) {
	pf := os.Getenv("TMP_PATHS")
	if pf == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(pf)
	paths := strings.Fields(string(b))
	ctx := context.Background()
	s1, _ := Open(ctx, "daemon", nil)
	s2, _ := Open(ctx, "daemon", nil)
	for range 3 {
		t0 := time.Now()
		Infos(ctx, s1, paths)
		t1 := time.Now()
		done := make(chan bool)
		go func() { Infos(ctx, s2, paths[500:]); done <- true }()
		Infos(ctx, s1, paths[:500])
		<-done
		t2 := time.Now()
		t.Logf("one %v two %v", t1.Sub(t0), t2.Sub(t1))
	}
}

func TestTmpVerify(t *testing.T) {
	pf := os.Getenv("TMP_PATHS")
	if pf == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(pf)
	paths := strings.Fields(string(b))
	kb, _ := os.ReadFile("/tmp/bx/k1.pub")
	pk, err := sign.ParsePublicKey(strings.TrimSpace(string(kb)))
	if err != nil {
		t.Fatal(err)
	}
	keys := sign.NewNixKeySet(pk)
	ctx := context.Background()
	for range 5 {
		t0 := time.Now()
		s, err := Open(ctx, "daemon", nil)
		if err != nil {
			t.Fatal(err)
		}
		t1 := time.Now()
		res := Verify(ctx, s, paths, VerifyOptions{Keys: keys, SigsNeeded: 1})
		t2 := time.Now()
		for _, r := range res {
			if r.Code() != 0 {
				t.Fatal(r.Messages())
			}
		}
		s.Close()
		t.Logf("open %v verify %v", t1.Sub(t0), t2.Sub(t1))
	}
}

func TestTmpParts(t *testing.T) {
	pf := os.Getenv("TMP_PATHS")
	if pf == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(pf)
	paths := strings.Fields(string(b))
	ctx := context.Background()
	s, err := Open(ctx, "daemon", nil)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		t0 := time.Now()
		infos, _ := Infos(ctx, s, paths)
		t1 := time.Now()
		Verify(ctx, s, paths, VerifyOptions{NoTrust: true})
		t2 := time.Now()
		kb, _ := os.ReadFile("/tmp/bx/k1.pub")
		pk, _ := sign.ParsePublicKey(strings.TrimSpace(string(kb)))
		keys := sign.NewNixKeySet(pk)
		parallel(len(infos), 0, func(i int) { sign.Trusted(s.Dir(), infos[i], keys, 1) })
		t3 := time.Now()
		t.Logf("infos %v verify-notrust %v trust %v", t1.Sub(t0), t2.Sub(t1), t3.Sub(t2))
	}
}
