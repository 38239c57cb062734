package daemon

import (
	"reflect"
	"strings"
	"testing"
)

// infoReply is the daemon's reply to QueryPathInfo of a valid path at
// protocol 1.minor, and info what the client makes of it for path p.
func infoReply(minor int, p string) (wb, PathInfo) {
	b := wb{}.last()
	if minor >= 17 {
		b = b.u64(1)
	}
	b = b.str(testDrv).str(testHash).strs(testPath2).u64(1795924534).u64(120)
	info := PathInfo{Path: p, Deriver: testDrv, NarHash: testHash, References: []string{testPath2},
		RegistrationTime: 1795924534, NarSize: 120}
	if minor >= 16 {
		b = b.u64(1).strs("a:x", "b:y").str("fixed:r:sha256:x")
		info.Ultimate, info.Sigs, info.CA = true, []string{"a:x", "b:y"}, "fixed:r:sha256:x"
	}
	return b, info
}

func cat(parts ...wb) wb {
	var b wb
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// The requests of a batch go out back to back, each byte for byte as the
// single operation sends it; the replies are matched to them in order.
func TestBatchEncoding(t *testing.T) {
	for _, minor := range []int{21, 34, 38} {
		reply, info := infoReply(minor, testPath)
		_, info2 := infoReply(minor, testPath2)
		c := startFake(t, minor, nil, func(f *fake) {
			_ = f.expect(wb{}.u64(26).str(testPath).u64(26).str(badPath).u64(26).str(testPath2)) &&
				f.send(cat(reply, wb{}.u64(stderrNext).str("log\n").last().u64(0), reply)) &&
				// Signatures go out sorted and deduplicated, as Nix's std::set.
				f.expect(wb{}.u64(37).str(testPath).strs("a:x", "b:y").u64(37).str(testPath2).strs(testSig)) &&
				f.send(wb{}.last().u64(1).last().u64(1))
		})
		replies, err := c.QueryPathInfos(ctx, []string{testPath, badPath, testPath2})
		want := []PathInfoReply{{Info: info, Valid: true}, {}, {Info: info2, Valid: true}}
		if err != nil || !reflect.DeepEqual(replies, want) {
			t.Errorf("1.%d: QueryPathInfos = %+v, %v\nwant %+v", minor, replies, err, want)
		}
		errs, err := c.AddSignaturesMany(ctx, []string{testPath, testPath2}, [][]string{{"b:y", "a:x", "b:y"}, {testSig}})
		if err != nil || !reflect.DeepEqual(errs, []error{nil, nil}) {
			t.Errorf("1.%d: AddSignaturesMany = %v, %v", minor, errs, err)
		}
		c.Close()
	}
}

// A daemon answers each request before it reads the next: the pipeline
// works with a peer that takes them one at a time, over many chunks.
func TestBatchLockstep(t *testing.T) {
	const n = 2000 // about 160 KiB of requests: several chunks
	reply, info := infoReply(34, testPath)
	c := startFake(t, 34, nil, func(f *fake) {
		for i := 0; i < n; i++ {
			if !f.expect(wb{}.u64(26).str(testPath)) || !f.send(reply) {
				return
			}
		}
	})
	paths := make([]string, n)
	for i := range paths {
		paths[i] = testPath
	}
	replies, err := c.QueryPathInfos(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range replies {
		if !r.Valid || r.Err != nil || !reflect.DeepEqual(r.Info, info) {
			t.Fatalf("reply %d: %+v", i, r)
		}
	}
}

// A daemon's error for one request is that request's answer; the others
// are still answered, and the connection stays usable.
func TestBatchRemoteError(t *testing.T) {
	reply, info := infoReply(34, testPath)
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(26).str(testPath).u64(26).str(testPath2).u64(26).str(badPath).u64(26).str(testPath)) &&
			f.send(cat(reply, wb{}.errorMsg("database is locked"), wb{}.errorMsg("path '"+badPath+"' is not valid"), reply)) &&
			f.expect(wb{}.u64(37).str(testPath).strs(testSig).u64(37).str(testPath2).strs(testSig)) &&
			f.send(cat(wb{}.errorMsg("you are not privileged to add signatures"), wb{}.last().u64(1))) &&
			f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1))
	})
	replies, err := c.QueryPathInfos(ctx, []string{testPath, testPath2, badPath, testPath})
	if err != nil {
		t.Fatal(err)
	}
	if re, ok := isRemote(replies[1].Err); !ok || re.Message != "database is locked" || replies[1].Valid {
		t.Errorf("reply 1: %+v", replies[1])
	}
	// Before protocol 1.17, and in Nix's own client, this error means "not valid".
	if !reflect.DeepEqual(replies[2], PathInfoReply{}) {
		t.Errorf("reply 2: %+v", replies[2])
	}
	for _, i := range []int{0, 3} {
		if !replies[i].Valid || replies[i].Err != nil || !reflect.DeepEqual(replies[i].Info, info) {
			t.Errorf("reply %d: %+v", i, replies[i])
		}
	}
	errs, err := c.AddSignaturesMany(ctx, []string{testPath, testPath2}, [][]string{{testSig}, {testSig}})
	if re, ok := isRemote(errs[0]); err != nil || !ok || re.Message != "you are not privileged to add signatures" || errs[1] != nil {
		t.Errorf("AddSignaturesMany = %v, %v", errs, err)
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Errorf("IsValidPath after the errors = %v, %v", ok, err)
	}
}

func TestBatchArguments(t *testing.T) {
	c := startFake(t, 34, nil, func(f *fake) {
		_ = f.expect(wb{}.u64(1).str(testPath)) && f.send(wb{}.last().u64(1))
	})
	// Nothing is sent for an empty batch or a bad argument.
	if r, err := c.QueryPathInfos(ctx, nil); len(r) != 0 || err != nil {
		t.Errorf("QueryPathInfos(nil) = %v, %v", r, err)
	}
	if e, err := c.AddSignaturesMany(ctx, nil, nil); len(e) != 0 || err != nil {
		t.Errorf("AddSignaturesMany(nil) = %v, %v", e, err)
	}
	if r, err := c.QueryPathInfos(ctx, []string{testPath, "/tmp/x"}); r != nil || err == nil || !strings.Contains(err.Error(), `"/tmp/x" is not a path in the store`) {
		t.Errorf("bad path: %v, %v", r, err)
	}
	if e, err := c.AddSignaturesMany(ctx, []string{testPath}, nil); e != nil || err == nil {
		t.Errorf("no signatures: %v, %v", e, err)
	}
	if e, err := c.AddSignaturesMany(ctx, []string{testPath + "/x"}, [][]string{{testSig}}); e != nil || err == nil {
		t.Errorf("bad path: %v, %v", e, err)
	}
	if ok, err := c.IsValidPath(ctx, testPath); !ok || err != nil {
		t.Errorf("IsValidPath = %v, %v", ok, err)
	}
}
