// Package tomldoc decodes a TOML configuration file into a generic document
// with BurntSushi/toml, reporting syntax errors in the config-error form
// "FILE:LINE:COL: problem", and names the TOML types of decoded values for
// "want a string, got integer" messages.
//
// For a file c.toml whose first line is "store = " (a key without a value),
// [Decode] fails with
//
//	c.toml:1:9: expected value but found '\n' instead
//
// The line and column are counted from the error's byte offset (after any
// byte-order mark), not taken from the parser, whose line is one too far for
// an error found at a line's terminator.
package tomldoc

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/nixsign/nixsign/conf/internal/tomlscan"
)

// Decode parses data, the contents of file, as a TOML document. Syntax errors
// read "FILE:LINE:COL: problem", other errors "FILE: problem".
func Decode(file string, data []byte) (map[string]any, error) {
	doc := map[string]any{}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := errorPos(data, pe.Position)
			return nil, fmt.Errorf("%s:%d:%d: %s", file, line, col, pe.Message)
		}
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return doc, nil
}

// errorPos returns the line and column of a parse error. It counts them from
// the byte offset, since the parser's own line is one too far for an error
// found at a line's terminator.
func errorPos(data []byte, p toml.Position) (line, col int) {
	start := p.Start + tomlscan.BOMLen(data)
	if start < 0 || start > len(data) || p.Start == 0 && p.Line > 1 {
		return p.Line, p.Col
	}
	nl := bytes.LastIndexByte(data[:start], '\n')
	return bytes.Count(data[:start], []byte("\n")) + 1, start - nl
}

// TypeName names the TOML type of a value decoded by [Decode]: "string",
// "integer", "float", "boolean", "datetime", "table", "array of tables" or
// "array".
func TypeName(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case int64:
		return "integer"
	case float64:
		return "float"
	case bool:
		return "boolean"
	case time.Time:
		return "datetime"
	case map[string]any:
		return "table"
	case []map[string]any:
		return "array of tables"
	case []any:
		return "array"
	}
	return fmt.Sprintf("%T", v)
}
