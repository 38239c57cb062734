package tomlscan_test

import (
	"fmt"

	"github.com/nixsign/nixsign/conf/internal/tomlscan"
)

func ExampleScan() {
	src := []byte("a = 1 # c\n[ t . u ]\ni = { p = 2 }\n")
	stmts, err := tomlscan.Scan(src)
	if err != nil {
		panic(err)
	}
	kinds := map[tomlscan.Kind]string{tomlscan.KeyValue: "KeyValue", tomlscan.Table: "Table",
		tomlscan.ArrayTable: "ArrayTable", tomlscan.Inline: "Inline"}
	for _, st := range stmts {
		fmt.Printf("%-8s %v line %d", kinds[st.Kind], st.Path, st.Line)
		if st.Kind != tomlscan.Table && st.Kind != tomlscan.ArrayTable {
			fmt.Printf(" value %q", src[st.ValStart:st.ValEnd])
		}
		if st.Kind != tomlscan.Inline {
			fmt.Printf(" line %q", src[st.LineStart:st.End])
		}
		fmt.Println()
	}
	// Output:
	// KeyValue [a] line 1 value "1" line "a = 1 # c\n"
	// Table    [t u] line 2 line "[ t . u ]\n"
	// KeyValue [t u i] line 3 value "{ p = 2 }" line "i = { p = 2 }\n"
	// Inline   [t u i p] line 3 value "2"
}
