package sign

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/nixsign/nixsign/nix/storepath"
)

// others returns a next function for TrustedWith that gives recs in order
// and counts the calls.
func others(calls *int, recs ...Other) func(int) (Other, bool) {
	return func(i int) (Other, bool) {
		*calls++
		if i >= len(recs) {
			return Other{}, false
		}
		return recs[i], true
	}
}

// sigtestA returns the built path sigtest-a as another machine would have
// it: not ultimate, with no signature of its own; and its two signatures,
// by gbck-1 and test-key-1.
func sigtestA(t *testing.T) (local *PathInfo, sigs []string) {
	out := allPathInfos(t)["/nix/store/qyg4k09x25qhai8v5zk0idkmv8mq4wwl-sigtest-a"]
	if len(out.Sigs) != 2 {
		t.Fatalf("sigtest-a has %d signatures", len(out.Sigs))
	}
	l := *out
	l.Sigs, l.Ultimate = nil, false
	return &l, slices.Clone(out.Sigs)
}

func rec(source string, info *PathInfo, sigs ...string) Other {
	c := *info
	c.Sigs = sigs
	return Other{Source: source, Info: &c}
}

// TestTrustedWithSeen: a signature string counts once, whether the path has
// it or another store, or two stores have it.
func TestTrustedWithSeen(t *testing.T) {
	local, sigs := sigtestA(t)
	gbck, k1 := sigs[0], sigs[1]
	keys := NewNixKeySet(testKey(t), testKey2(t))
	local.Sigs = []string{k1}

	calls := 0
	v, err := TrustedWith(storepath.DefaultDir, local, keys, 2, others(&calls, rec("c1", local, k1), rec("c2", local, k1)))
	if err != nil || v.OK || v.Count.Valid != 1 || len(v.Count.Sigs) != 1 || calls != 3 || v.Count.Asked != 2 {
		t.Errorf("same signature everywhere: %+v, %v, %d calls", v, err, calls)
	}
	if !strings.Contains(v.Reason, "1 valid signature, 2 needed") || !strings.Contains(v.Reason, "asked 2 other stores too") {
		t.Errorf("reason %q", v.Reason)
	}

	calls = 0
	v, err = TrustedWith(storepath.DefaultDir, local, keys, 2, others(&calls, rec("c1", local, k1), rec("c2", local, gbck, k1)))
	if err != nil || !v.OK || v.Count.Valid != 2 || calls != 2 {
		t.Fatalf("second store: %+v, %v, %d calls", v, err, calls)
	}
	want := []SigCheck{{Sig: k1, KeyName: "test-key-1", Status: SigValid}, {Sig: gbck, KeyName: "gbck-1", Status: SigValid, From: "c2"}}
	if !slices.Equal(v.Count.Sigs, want) {
		t.Errorf("Sigs = %+v, want %+v", v.Count.Sigs, want)
	}
	if want := `2 valid signatures, 2 needed (by "gbck-1", "test-key-1"); 1 of them comes from c2`; v.Reason != want {
		t.Errorf("reason %q, want %q", v.Reason, want)
	}
	if f := v.Count.ValidFrom(); !slices.Equal(f, []SourceCount{{"c2", 1}}) {
		t.Errorf("ValidFrom = %v", f)
	}
}

// TestTrustedWithStops: once a path has enough valid signatures, no other
// store is asked; a store without the path, or one that fails, is passed by.
func TestTrustedWithStops(t *testing.T) {
	local, sigs := sigtestA(t)
	keys := NewNixKeySet(testKey(t), testKey2(t))
	down := errors.New("c0: cannot connect")
	calls := 0
	next := others(&calls, Other{Source: "c0", Err: down}, Other{Source: "empty"}, rec("c1", local, sigs[1]), rec("c2", local, sigs[0]))
	v, err := TrustedWith(storepath.DefaultDir, local, keys, 1, next)
	if err != nil || !v.OK || calls != 3 || v.Count.Asked != 3 || !slices.Equal(v.Count.OtherErrs, []error{down}) {
		t.Fatalf("%+v, %v, %d calls", v, err, calls)
	}
	if want := `1 valid signature, 1 needed (by "test-key-1"); it comes from c1`; v.Reason != want {
		t.Errorf("reason %q, want %q", v.Reason, want)
	}
	// -n 2 goes on to c2.
	calls = 0
	v, _ = TrustedWith(storepath.DefaultDir, local, keys, 2, next)
	if !v.OK || calls != 4 || !strings.HasSuffix(v.Reason, "; all come from c1 (1), c2 (1)") {
		t.Errorf("-n 2: %+v, %d calls", v, calls)
	}
	// A path with enough of its own asks none.
	local.Sigs = sigs
	calls = 0
	if v, _ := TrustedWith(storepath.DefaultDir, local, keys, 2, next); !v.OK || calls != 0 || v.Count.Asked != 0 {
		t.Errorf("own signatures: %+v, %d calls", v, calls)
	}
}

// TestTrustedWithLocalFingerprint: another store's signatures are checked
// against the path's own NAR hash, size and references, not the other
// store's (Nix: info->checkSignature, info being the local record).
func TestTrustedWithLocalFingerprint(t *testing.T) {
	info, sig := signexp(t)
	keys := NewNixKeySet(testKey(t))

	// The other record says another size, but the signature is of the
	// path as it is here: valid.
	other := *info
	other.NarSize++
	calls := 0
	v, err := TrustedWith(storepath.DefaultDir, info, keys, 1, others(&calls, rec("c", &other, sig)))
	if err != nil || !v.OK {
		t.Errorf("signature of the local record: %+v, %v", v, err)
	}

	// Here the size differs: the signature, which the other record
	// matches, does not verify.
	local := other
	v, err = TrustedWith(storepath.DefaultDir, &local, keys, 1, others(&calls, rec("c", info, sig)))
	if err != nil || v.OK || len(v.Count.Sigs) != 1 || v.Count.Sigs[0].Status != SigInvalid {
		t.Errorf("signature of the other record: %+v, %v", v, err)
	}
	if !strings.Contains(v.Reason, `the signature by trusted key "test-key-1" does not verify`) {
		t.Errorf("reason %q", v.Reason)
	}
}

// TestTrustedWithUnasked: a path built here with -n 0, a content-addressed
// path, and a path whose own signatures fail to check never ask.
func TestTrustedWithUnasked(t *testing.T) {
	infos := allPathInfos(t)
	keys := NewNixKeySet(testKey(t))
	calls := 0
	fail := others(&calls, Other{Source: "c", Err: errors.New("asked")})

	dev := infos["/nix/store/l5jifip347hnkb691a1ks3v6ig2vm67z-sigtest-a-dev"]
	ult := *dev
	ult.Sigs = nil
	if v, err := TrustedWith(storepath.DefaultDir, &ult, nil, 0, fail); err != nil || !v.OK {
		t.Errorf("ultimate: %+v, %v", v, err)
	}
	ca := infos["/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"]
	if v, err := TrustedWith(storepath.DefaultDir, ca, nil, 3, fail); err != nil || !v.OK || v.Count.CAFrom != "" {
		t.Errorf("content-addressed: %+v, %v", v, err)
	}
	bad := *dev
	bad.Sigs = []string{"test-key-1:AAAA"}
	if v, err := TrustedWith(storepath.DefaultDir, &bad, keys, 1, fail); err == nil || v.OK {
		t.Errorf("malformed own signature: %+v, %v", v, err)
	}
	if _, err := TrustedWith(storepath.DefaultDir, dev, keys, -1, fail); err == nil {
		t.Error("-n -1 succeeded")
	}
	if calls != 0 {
		t.Errorf("next called %d times", calls)
	}
}

// TestTrustedWithOtherCA: another store's record whose content address
// gives back the path makes it trusted, as in Nix (info2->isContentAddressed);
// one whose content address does not is noted and its signatures counted.
func TestTrustedWithOtherCA(t *testing.T) {
	infos := allPathInfos(t)
	ca := infos["/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"]
	local := *ca
	local.CA, local.Sigs = storepath.CA{}, nil // registered here without its content address
	calls := 0
	v, err := TrustedWith(storepath.DefaultDir, &local, nil, 2, others(&calls, Other{Source: "c", Info: ca}, Other{Source: "d"}))
	if err != nil || !v.OK || !v.Count.CA || v.Count.CAFrom != "c" || v.Count.Valid != Infinite || calls != 1 {
		t.Fatalf("%+v, %v, %d calls", v, err, calls)
	}
	if !strings.HasPrefix(v.Reason, "content-addressed according to c:") {
		t.Errorf("reason %q", v.Reason)
	}

	claim := *ca
	claim.CA = infos["/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"].CA
	v, err = TrustedWith(storepath.DefaultDir, &local, NewNixKeySet(testKey(t)), 1, others(&calls, Other{Source: "c", Info: &claim}))
	if err != nil || !v.OK || v.Count.CA || len(v.Count.OtherErrs) != 1 ||
		!strings.Contains(v.Count.OtherErrs[0].Error(), "c: path '/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt' claims to be content-addressed but isn't") {
		t.Errorf("false claim: %+v, %v", v, err)
	}
}

// TestTrustedWithErrors: as observed with Nix 2.8.0, a malformed signature
// by a trusted name in a substituter's narinfo is printed and ends that
// narinfo's signatures (a valid one sorted after it does not count: exit
// 2), without failing the path; the next substituter's copy of that valid
// one counts (exit 0). With no NAR size here, no other signature can be
// checked.
func TestTrustedWithErrors(t *testing.T) {
	info, sig := signexp(t)
	keys := NewNixKeySet(testKey(t))
	const bad = "test-key-1:AAAA" // sorts before sig
	calls := 0
	v, err := TrustedWith(storepath.DefaultDir, info, keys, 1, others(&calls, rec("c1", info, sig, bad)))
	if err != nil || v.OK || v.Count.Valid != 0 || len(v.Count.Sigs) != 1 || v.Count.Sigs[0].Status != SigMalformed || !strings.Contains(v.Reason, `malformed signature by trusted key "test-key-1"`) {
		t.Fatalf("%+v, %v", v, err)
	}
	if len(v.Count.OtherErrs) != 1 || !strings.HasPrefix(v.Count.OtherErrs[0].Error(), `c1: signature "test-key-1:AAAA" is not valid`) {
		t.Errorf("OtherErrs = %v", v.Count.OtherErrs)
	}
	v, _ = TrustedWith(storepath.DefaultDir, info, keys, 1, others(&calls, rec("c1", info, sig, bad), rec("c2", info, sig)))
	if !v.OK || len(v.Count.OtherErrs) != 1 {
		t.Errorf("second store: %+v", v)
	}
	// A malformed one after the valid one: the valid one counts.
	v, _ = TrustedWith(storepath.DefaultDir, info, keys, 1, others(&calls, rec("c1", info, sig, "test-key-1:zzzz")))
	if !v.OK || len(v.Count.OtherErrs) != 1 {
		t.Errorf("malformed last: %+v", v)
	}

	nosize := *info
	nosize.NarSize = 0
	v, err = TrustedWith(storepath.DefaultDir, &nosize, keys, 1, others(&calls, rec("c1", info, sig), rec("c2", info, "other:AAAA")))
	if err != nil || v.OK || v.Count.Asked != 2 || len(v.Count.OtherErrs) != 2 || !strings.Contains(v.Count.OtherErrs[1].Error(), "c2: cannot calculate fingerprint") {
		t.Errorf("no NAR size: %+v, %v", v, err)
	}
}

// TestTrustedWithOtherError: each error met with another store's record
// says which of its signatures were counted regardless: a malformed
// signature stops those sorted after it (the valid one before it counts),
// a missing fingerprint all of them, a false content-address claim none;
// a store that could not be asked keeps its own error, as it is.
func TestTrustedWithOtherError(t *testing.T) {
	info, sig := signexp(t)
	keys := NewNixKeySet(testKey(t))
	calls := 0
	as := func(t *testing.T, err error) *OtherError {
		t.Helper()
		oe, ok := err.(*OtherError)
		if !ok {
			t.Fatalf("%T %v is not an *OtherError", err, err)
		}
		return oe
	}

	const after = "test-key-1:~" // sorts after sig
	v, _ := TrustedWith(storepath.DefaultDir, info, keys, 1, others(&calls, rec("c1", info, after, sig)))
	if !v.OK || v.Count.Valid != 1 || len(v.Count.OtherErrs) != 1 {
		t.Fatalf("malformed after the valid one: %+v", v)
	}
	oe := as(t, v.Count.OtherErrs[0])
	if oe.Source != "c1" || !oe.Stopped || oe.Sig != after || !strings.HasPrefix(oe.Error(), `c1: signature "test-key-1:~" is not valid`) ||
		errors.Unwrap(oe) != oe.Err || oe.Err.Error() != strings.TrimPrefix(oe.Error(), "c1: ") {
		t.Errorf("malformed: %+v, %q", oe, oe.Error())
	}

	const before = "test-key-1:AAAA" // sorts before sig
	v, _ = TrustedWith(storepath.DefaultDir, info, keys, 1, others(&calls, rec("c1", info, sig, before)))
	if v.OK || len(v.Count.OtherErrs) != 1 {
		t.Fatalf("malformed before the valid one: %+v", v)
	}
	if oe := as(t, v.Count.OtherErrs[0]); !oe.Stopped || oe.Sig != before {
		t.Errorf("malformed first: %+v", oe)
	}

	nosize := *info
	nosize.NarSize = 0
	v, _ = TrustedWith(storepath.DefaultDir, &nosize, keys, 1, others(&calls, rec("c2", info, sig)))
	if oe := as(t, v.Count.OtherErrs[0]); !oe.Stopped || oe.Sig != "" || !strings.HasPrefix(oe.Error(), "c2: cannot calculate fingerprint") {
		t.Errorf("no fingerprint: %+v", oe)
	}

	infos := allPathInfos(t)
	ca := infos["/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt"]
	local := *ca
	local.CA, local.Sigs = storepath.CA{}, nil
	claim := *ca
	claim.CA = infos["/nix/store/hgl6cwhlhzpznapan2nfnls2nyyv4lqb-run.sh"].CA
	v, _ = TrustedWith(storepath.DefaultDir, &local, NewNixKeySet(testKey(t)), 1, others(&calls, Other{Source: "c", Info: &claim}))
	oe = as(t, v.Count.OtherErrs[0])
	if oe.Stopped || oe.Sig != "" || oe.Source != "c" ||
		oe.Err.Error() != "path '/nix/store/z45ailnkm27lnvhimqkhy08f6sh5m17d-hello.txt' claims to be content-addressed but isn't" {
		t.Errorf("false claim: %+v", oe)
	}

	down := errors.New("c0: cannot connect")
	v, _ = TrustedWith(storepath.DefaultDir, info, keys, 1, others(&calls, Other{Source: "c0", Err: down}))
	if _, ok := v.Count.OtherErrs[0].(*OtherError); ok || v.Count.OtherErrs[0] != down {
		t.Errorf("store error: %#v", v.Count.OtherErrs[0])
	}
}

func BenchmarkTrustedWith(b *testing.B) {
	info, sig := signexp(b)
	keys := NewNixKeySet(testKey(b))
	local := *info
	local.Sigs = nil
	o := Other{Source: "c", Info: info}
	next := func(i int) (Other, bool) { return o, i == 0 }
	for b.Loop() {
		if v, _ := TrustedWith(storepath.DefaultDir, &local, keys, 1, next); !v.OK {
			b.Fatal(v.Reason, sig)
		}
	}
}
