// Package xlsxguard bounds what an uploaded workbook (.xlsx) may cost
// before excelize reads it: Check refuses, from its zip directory alone, a
// file with too many parts or that unpacks to too much, and CheckSheets
// counts the rows and cells of the sheets that will be read, streaming
// their XML, and refuses at the first limit passed. It needs only the
// standard library, so that every package reading uploads shares it.
package xlsxguard

import (
	"strconv"
	"strings"
)

// Refusal is why a workbook is refused: a code and a French message, for
// the form field "file".
type Refusal struct {
	Code, Message string
}

// Error implements error.
func (r *Refusal) Error() string { return r.Message }

// thousands writes n the French way: 1 048 576.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u00a0" + s[i:]
	}
	return s
}

// shortName keeps a part name short and printable in a message.
func shortName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if len([]rune(name)) > 60 {
		return string([]rune(name)[:60]) + "…"
	}
	return name
}
