package diag

import (
	"bufio"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

const readme = "../../../README.md"

// exitConsts returns the Exit* constants of exit.go, by value, as written
// there (so that a new constant cannot be forgotten here).
func exitConsts(t *testing.T) map[int]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "exit.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[int]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				if !strings.HasPrefix(name.Name, "Exit") {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.INT {
					t.Fatalf("%s is not an integer literal", name.Name)
				}
				v, err := strconv.Atoi(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				if other, dup := consts[v]; dup {
					t.Errorf("%s and %s are both %d", other, name.Name, v)
				}
				consts[v] = name.Name
			}
		}
	}
	if len(consts) == 0 {
		t.Fatal("no Exit constants in exit.go")
	}
	return consts
}

// The parsed constants are the compiled ones.
func TestExitConstsParsed(t *testing.T) {
	consts := exitConsts(t)
	for name, v := range map[string]int{
		"ExitOK": ExitOK, "ExitFailure": ExitFailure, "ExitUsage": ExitUsage, "ExitConfig": ExitConfig,
	} {
		if consts[v] != name {
			t.Errorf("parsed %d as %q, want %s", v, consts[v], name)
		}
	}
}

var tableRow = regexp.MustCompile(`^\| *(\d+) *\| *(.*?) *\|$`)

// TestReadmeExitCodes checks the README's table of exit codes against
// exit.go: every code documented, with its number, and no other row.
func TestReadmeExitCodes(t *testing.T) {
	consts := exitConsts(t)
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	const section = "## Output and exit codes"
	i := strings.Index(text, section)
	if i < 0 {
		t.Fatalf("README has no %q section", section)
	}
	text = text[i+len(section):]
	if j := strings.Index(text, "\n## "); j >= 0 {
		text = text[:j]
	}
	if !strings.Contains(text, "`cmd/internal/diag/exit.go`") {
		t.Errorf("the README's %q section does not name cmd/internal/diag/exit.go", section)
	}
	documented := map[int]bool{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		m := tableRow.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		code, _ := strconv.Atoi(m[1])
		if documented[code] {
			t.Errorf("README: code %d has two rows", code)
		}
		documented[code] = true
		if _, ok := consts[code]; !ok {
			t.Errorf("README documents exit code %d, which exit.go does not define", code)
		}
		if m[2] == "" {
			t.Errorf("README: code %d has no meaning", code)
		}
	}
	for v, name := range consts {
		if !documented[v] {
			t.Errorf("README does not document %s = %d", name, v)
		}
	}
}

// Every exit code the README's other tables give (the last column of a
// table whose header ends in "exit") is one of exit.go's.
func TestReadmeOtherExitCodes(t *testing.T) {
	consts := exitConsts(t)
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	lastCell := regexp.MustCompile(`\| *(\d+) *\|$`)
	inExitTable, rows := false, 0
	for n, line := range strings.Split(string(data), "\n") {
		switch {
		case !strings.HasPrefix(line, "|"):
			inExitTable = false
		case strings.HasSuffix(strings.TrimSpace(line), "| exit |"):
			inExitTable = true
		case inExitTable:
			if m := lastCell.FindStringSubmatch(line); m != nil {
				rows++
				code, _ := strconv.Atoi(m[1])
				if _, ok := consts[code]; !ok {
					t.Errorf("README:%d: exit code %d is not defined in exit.go", n+1, code)
				}
			}
		}
	}
	if rows == 0 {
		t.Error("README has no table with an exit column")
	}
}
