package export

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// stylesPart is where excelize reads and writes the styles of a workbook.
const stylesPart = "xl/styles.xml"

// workbookRels are the relationships of the workbook part, where the
// styles part is declared.
const workbookRels = "xl/_rels/workbook.xml.rels"

// defaultStyles is a minimal complete stylesheet: one font, the two fills
// Excel requires, one border, one cell format.
const defaultStyles = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
	`<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

const (
	stylesOverride = `<%sOverride PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`
	stylesRel      = `<%sRelationship Id="rIdCapsatStyles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`
	emptyRels      = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`
)

// withDefaultStyles copies the workbook in r (size bytes, its zip already
// checked), adding a default styles part, its content type and its
// relationship from the workbook. Without it excelize cannot add a style:
// it reads and writes styles in xl/styles.xml only. The other parts are
// copied as they are, still compressed.
func withDefaultStyles(r io.ReaderAt, size int64) ([]byte, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	write := func(name string, data []byte) error {
		w, err := zw.Create(name)
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	}
	rels := []byte(emptyRels)
	for _, f := range zr.File {
		switch {
		case strings.EqualFold(f.Name, "[Content_Types].xml"):
			data, err := readPart(f)
			if err == nil {
				data, err = insertBeforeEnd(data, "Types", stylesOverride)
			}
			if err == nil {
				err = write(f.Name, data)
			}
			if err != nil {
				return nil, err
			}
		case f.Name == workbookRels:
			if rels, err = readPart(f); err != nil {
				return nil, err
			}
		default:
			if err := zw.Copy(f); err != nil {
				return nil, err
			}
		}
	}
	if !bytes.Contains(rels, []byte("/relationships/styles\"")) {
		if rels, err = insertBeforeEnd(rels, "Relationships", stylesRel); err != nil {
			return nil, err
		}
	}
	if err := write(workbookRels, rels); err != nil {
		return nil, err
	}
	if err := write(stylesPart, []byte(defaultStyles)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// readPart reads a small part (xlsxguard bounds its declared size, and
// Go's zip reader holds it to that size).
func readPart(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

var errNoEndTag = errors.New("export: the part does not end with the expected end tag")

// insertBeforeEnd inserts the element format (with %s for the prefix)
// just before the end tag of the root element, named root with or without
// a prefix, which must end the part.
func insertBeforeEnd(data []byte, root, format string) ([]byte, error) {
	end := bytes.LastIndex(data, []byte("</"))
	if end < 0 {
		return nil, errNoEndTag
	}
	name, ok := bytes.CutSuffix(bytes.TrimSpace(data[end+2:]), []byte(">"))
	if !ok {
		return nil, errNoEndTag
	}
	prefix := ""
	if p, local, found := bytes.Cut(name, []byte(":")); found {
		prefix, name = string(p)+":", local
	}
	if string(name) != root {
		return nil, errNoEndTag
	}
	element := fmt.Sprintf(format, prefix)
	return append(append(append([]byte(nil), data[:end]...), element...), data[end:]...), nil
}
