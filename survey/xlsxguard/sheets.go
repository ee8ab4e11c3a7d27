package xlsxguard

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"
)

// MaxSheets is the most worksheets a workbook may list.
const MaxSheets = 1000

// sharedStrings is the part of the shared strings, whatever the case of
// its name in the zip.
const sharedStrings = "xl/sharedStrings.xml"

// MaxRowCells is the most cells a row has in Excel (columns A to XFD).
const MaxRowCells = 16384

// Namespaces of r:id, transitional and strict; excelize reads both.
const (
	nsRelationships       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsStrictRelationships = "http://purl.oclc.org/ooxml/officeDocument/relationships"
)

// Sheet is a worksheet of a workbook and the part that holds it ("" when
// the workbook names no part that exists).
type Sheet struct {
	Name, Part string
}

// Workbook is a workbook whose zip directory passed Check.
type Workbook struct {
	// Sheets are the worksheets, in the workbook's order, with the parts
	// excelize reads them from.
	Sheets []Sheet
	parts  map[string]*zip.File // by name, as excelize keys them
}

// SheetLimits bound the sheets excelize will read, counted on their XML.
type SheetLimits struct {
	MaxRows    int // row elements, in all the sheets checked
	MaxCells   int // cell elements, in all the sheets checked
	MaxStrings int // strings in the shared strings, which excelize decodes whole (some 300 bytes each)
}

// unreadable refuses a workbook whose description cannot be read.
var unreadable = &Refusal{Code: "not_xlsx", Message: "Ce fichier n'est pas un classeur Excel (.xlsx) lisible : sa description est illisible."}

// newWorkbook finds the sheets of zr as excelize does: the workbook named
// by _rels/.rels, the sheets it lists, the parts their relationships
// name. It reads only parts decoded whole, at most maxPart bytes each. A
// workbook whose description cannot be read is refused: its sheets could
// not be checked.
func newWorkbook(zr *zip.Reader, maxPart int64) (*Workbook, error) {
	w := &Workbook{parts: map[string]*zip.File{}}
	for _, f := range zr.File {
		name := strings.ReplaceAll(f.Name, `\`, "/")
		if strings.EqualFold(name, sharedStrings) {
			name = sharedStrings
		}
		w.parts[name] = f
	}
	var book string
	err := w.children("_rels/.rels", "Relationship", func(attr func(string, ...string) string) error {
		if t := attr("Type"); book == "" && (t == nsRelationships+"/officeDocument" || t == nsStrictRelationships+"/officeDocument") {
			book = strings.TrimPrefix(attr("Target"), "/")
		}
		return nil
	})
	if err != nil || book == "" || w.parts[book] == nil || w.parts[book].UncompressedSize64 > uint64(maxPart) {
		return nil, unreadable
	}
	targets := map[string]string{} // relationship id → existing part; the last one wins, as in excelize
	err = w.children(path.Join(path.Dir(book), "_rels", path.Base(book)+".rels"), "Relationship", func(attr func(string, ...string) string) error {
		if part := partPath(path.Dir(book), attr("Target")); w.parts[part] != nil {
			targets[attr("Id")] = part
		}
		return nil
	})
	if err != nil && !errors.Is(err, errNoPart) {
		return nil, unreadable
	}
	err = w.children(book, "sheets", func(attr func(string, ...string) string) error {
		w.Sheets = append(w.Sheets, Sheet{Name: attr("name"), Part: targets[attr("id", nsRelationships, nsStrictRelationships)]})
		if len(w.Sheets) > MaxSheets {
			return &Refusal{Code: "too_many_sheets", Message: fmt.Sprintf("Fichier refusé : le classeur compte plus de %s feuilles.", thousands(MaxSheets))}
		}
		return nil
	})
	var refusal *Refusal
	switch {
	case errors.As(err, &refusal):
		return nil, err
	case err != nil:
		return nil, unreadable
	}
	return w, nil
}

// partPath resolves a relationship's target as excelize does.
func partPath(dir, target string) string {
	target = strings.ReplaceAll(target, `\`, "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(dir+"/"+target), "/")
}

var errNoPart = errors.New("xlsxguard: no such part")

// children streams the part name and calls fn for each element named
// child under the root, or, when child is "sheets", for each sheet under
// a sheets element under the root: where excelize's structures take them.
// attr returns the last attribute of a local name (in one of the
// namespaces given, if any), as encoding/xml fills a field.
func (w *Workbook) children(name, child string, fn func(attr func(local string, spaces ...string) string) error) error {
	f := w.parts[name]
	if f == nil {
		return errNoPart
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(noNUL{rc})
	d.CharsetReader = latin1
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			wanted := len(stack) == 2 && child != "sheets" && t.Name.Local == child ||
				len(stack) == 3 && child == "sheets" && stack[1] == "sheets" && t.Name.Local == "sheet"
			if !wanted {
				continue
			}
			attr := func(local string, spaces ...string) string {
				v := ""
				for _, a := range t.Attr {
					if a.Name.Local == local && (len(spaces) == 0 || contains(spaces, a.Name.Space)) {
						v = a.Value
					}
				}
				return v
			}
			if err := fn(attr); err != nil {
				return err
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// latin1 reads a part declared in another encoding byte for byte: the
// names and identifiers that matter here are ASCII.
func latin1(_ string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		out = utf8.AppendRune(out, rune(c))
	}
	return strings.NewReader(string(out)), nil
}

// Named returns the sheets named name, whatever the case: excelize finds
// a sheet by its name that way, and two may match.
func (w *Workbook) Named(name string) []Sheet {
	var out []Sheet
	for _, s := range w.Sheets {
		if strings.EqualFold(s.Name, name) {
			out = append(out, s)
		}
	}
	return out
}

// Has tells whether the workbook has the part name.
func (w *Workbook) Has(name string) bool { return w.parts[name] != nil }

// MaxRowBytes bounds the XML of one row: excelize builds a row whole.
const MaxRowBytes = 8 << 20

// CheckSheets streams the XML of sheets, then of the shared strings, and
// refuses the workbook at the first limit passed: more than l.MaxRows rows
// or l.MaxCells cells in all, a row of more than MaxRowCells cells or
// MaxRowBytes bytes, a text of more than MaxTextBytes, more shared
// strings than l.MaxStrings. Reading stops there: the work is bounded by the
// limits, whatever the size of the sheets.
func (w *Workbook) CheckSheets(sheets []Sheet, l SheetLimits) error {
	rows, cells := 0, 0
	for _, s := range sheets {
		refuse := func(code, format string, args ...any) error {
			return &Refusal{Code: code, Message: "Fichier refusé : " + fmt.Sprintf(format, append([]any{shortName(s.Name)}, args...)...)}
		}
		rowCells, rowStart := 0, int64(-1)
		err := w.scan(s.Part, func(local []byte, offset int64) error {
			if rowStart >= 0 && offset-rowStart > MaxRowBytes+scanBuffer {
				return refuse("too_large_row", "une ligne de la feuille « %s » occupe plus de %d Mo.", MaxRowBytes>>20)
			}
			switch string(local) {
			case "row":
				rowCells, rowStart = 0, offset
				if rows++; rows > l.MaxRows {
					return refuse("too_many_rows", "la feuille « %s » compte plus de %s lignes.", thousands(l.MaxRows))
				}
			case "c":
				rowCells++
				if cells++; cells > l.MaxCells {
					return refuse("too_many_cells", "la feuille « %s » compte plus de %s cellules.", thousands(l.MaxCells))
				}
				if rowCells > MaxRowCells {
					return refuse("too_many_cells", "une ligne de la feuille « %s » compte plus de %s cellules, le maximum d'Excel.", thousands(MaxRowCells))
				}
			}
			return nil
		})
		if errors.Is(err, errTooLong) {
			return refuse("too_long_text", "la feuille « %s » contient un texte de plus de %d Mo.", MaxTextBytes>>20)
		}
		if err != nil {
			return err
		}
	}
	texts := 0
	err := w.scan(sharedStrings, func(local []byte, _ int64) error {
		if string(local) == "si" {
			if texts++; texts > l.MaxStrings {
				return &Refusal{Code: "too_many_strings", Message: fmt.Sprintf("Fichier refusé : il compte plus de %s textes différents.", thousands(l.MaxStrings))}
			}
		}
		return nil
	})
	if errors.Is(err, errTooLong) {
		return &Refusal{Code: "too_long_text", Message: fmt.Sprintf("Fichier refusé : il contient un texte de plus de %d Mo.", MaxTextBytes>>20)}
	}
	return err
}

// scan streams the elements of a part (none when it does not exist) to
// visit.
func (w *Workbook) scan(name string, visit func(local []byte, offset int64) error) error {
	f := w.parts[name]
	if f == nil {
		return nil
	}
	rc, err := f.Open()
	if err != nil {
		return unreadable
	}
	defer rc.Close()
	err = scanElements(rc, visit)
	var refusal *Refusal
	switch {
	case err == nil, errors.As(err, &refusal), errors.Is(err, errTooLong):
		return err
	case errors.Is(err, errNotUTF8):
		return &Refusal{Code: "not_xlsx", Message: "Ce classeur n'est pas enregistré en UTF-8 : ouvrez-le et enregistrez-le de nouveau dans Excel."}
	}
	return unreadable
}
