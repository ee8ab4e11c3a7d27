package xlsxguard

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestScanElementsSeesTheElementsAnXMLParserSees(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE x><worksheet xmlns:x="urn:x"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>a &lt;c&gt; b</t></is></c><x:c r="B1"/><c/></row>` +
		`<!-- <row><c> in a comment --><![CDATA[ <row><c> in CDATA ]]><?pi <row>?>` +
		"<row\n r=\"2\"><col/><cell/><c\tr=\"A2\"><v>1</v></c></row><row/></sheetData></worksheet>"
	var got []string
	ends := 0
	err := scanElements(strings.NewReader(doc), func(local []byte, _ int64) error {
		if local == nil {
			ends++
		} else {
			got = append(got, string(local))
		}
		return nil
	})
	want := "worksheet sheetData row c is t c c row col cell c v row"
	if err != nil || strings.Join(got, " ") != want || ends != 9 {
		t.Fatalf("%v %q and %d end tags, want %q and 9", err, strings.Join(got, " "), ends, want)
	}
}

// rowsReader streams a sheet of n rows without building it, counting the
// bytes read from it.
type rowsReader struct {
	n, read int
	pending string
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for len(r.pending) < len(p) && r.n > 0 {
		r.pending += `<row><c><v>1</v></c></row>`
		r.n--
	}
	if r.pending == "" {
		return 0, io.EOF
	}
	k := copy(p, r.pending)
	r.pending = r.pending[k:]
	r.read += k
	return k, nil
}

func TestScanElementsStopsAtTheFirstRefusal(t *testing.T) {
	t.Parallel()
	src := &rowsReader{n: 10_000_000} // 260 MB of rows
	stop := errors.New("stop")
	rows := 0
	err := scanElements(src, func(local []byte, _ int64) error {
		if string(local) == "row" {
			if rows++; rows > 1000 {
				return stop
			}
		}
		return nil
	})
	// Reading stopped at row 1001: what was read is its rows and one buffer.
	if !errors.Is(err, stop) || rows != 1001 || src.read > 1001*26+2*64<<10 {
		t.Fatalf("err %v after %d rows and %d bytes read", err, rows, src.read)
	}
}

func TestScanElementsRefusesUTF16(t *testing.T) {
	t.Parallel()
	utf16 := "<\x00r\x00o\x00w\x00>\x00"
	if err := scanElements(strings.NewReader(utf16), func([]byte, int64) error { return nil }); !errors.Is(err, errNotUTF8) {
		t.Fatalf("%v", err)
	}
}

func TestScanElementsRefusesTextsAnXMLParserWouldBuildWhole(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", MaxTextBytes+1)
	for name, doc := range map[string]string{
		"text":      "<c><v>" + long + "</v></c>",
		"attribute": `<c r="` + long + `"/>`,
		"comment":   "<!--" + long + "-->",
		"CDATA":     "<![CDATA[" + long + "]]>",
		"name":      "<c" + long + "/>",
	} {
		if err := scanElements(strings.NewReader(doc), func([]byte, int64) error { return nil }); !errors.Is(err, errTooLong) {
			t.Errorf("%s: %v", name, err)
		}
	}
	ok := "<c><v>" + strings.Repeat("a", MaxTextBytes-100) + "</v></c>"
	if err := scanElements(strings.NewReader(ok), func([]byte, int64) error { return nil }); err != nil {
		t.Errorf("a text under the limit: %v", err)
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1\u00a0000", 1048576: "1\u00a0048\u00a0576"} {
		if got := thousands(n); got != want {
			t.Errorf("%d: %q", n, got)
		}
	}
}
