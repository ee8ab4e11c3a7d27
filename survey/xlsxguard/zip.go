package xlsxguard

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Limits bound what an uploaded workbook may unpack to, checked on its zip
// directory before anything is decompressed. A zero field takes the value
// of Default.
type Limits struct {
	MaxEntries      int   // parts (files) in the zip
	MaxEntrySize    int64 // declared uncompressed size of one part, other than those below
	MaxSheetSize    int64 // of one worksheet (xl/worksheets/), whose rows CheckSheets counts before it is read
	MaxPartSize     int64 // of one of the parts excelize decodes whole on opening (see wholePart)
	MaxUncompressed int64 // total declared uncompressed size
	MaxRatio        int64 // total declared size / size of the file
}

// Default fits real workbooks with a wide margin: the satisfaction
// workbook of a structure with 100 000 responses a year unpacks to 95 MB
// (an 88 MB sheet of responses) at a ratio of 11, an order import of
// survey.MaxImportRows rows to about 40 MB, a CAP dashboard to a few MB;
// workbooks have tens of parts, a few thousand with many sheets, pictures
// and charts. Styles, the part decoded whole that grows the most, hold
// Excel's maximum of 64 000 cell formats in about 7 MB; decoding costs
// excelize some 25 times the size.
var Default = Limits{MaxEntries: 10000, MaxEntrySize: 64 << 20, MaxSheetSize: 200 << 20, MaxPartSize: 8 << 20, MaxUncompressed: 200 << 20, MaxRatio: 200}

// ratioFloor is the unpacked size below which the ratio is not checked: a
// tiny file that unpacks to less than this is no bomb.
const ratioFloor = 1 << 20

// directoryBytesPerEntry bounds what reading the zip directory may read per
// allowed part (a record is 46 bytes and a name; xlsx names are short), so
// that a directory of millions of records is refused before Go's zip
// reader has built them all.
const directoryBytesPerEntry = 256

// directoryEndBytes is what finding the end of the directory may read:
// Go's zip reader looks in the last 1 KB, then the last 65 KB.
const directoryEndBytes = 128 << 10

var errDirectoryTooLarge = errors.New("xlsxguard: zip directory too large")

// WithDefaults returns l with its zero fields set from Default.
func (l Limits) WithDefaults() Limits {
	set := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = Default.MaxEntries
	}
	set(&l.MaxEntrySize, Default.MaxEntrySize)
	set(&l.MaxSheetSize, Default.MaxSheetSize)
	set(&l.MaxPartSize, Default.MaxPartSize)
	set(&l.MaxUncompressed, Default.MaxUncompressed)
	set(&l.MaxRatio, Default.MaxRatio)
	return l
}

// budgetReader fails a read once more than left bytes were asked for.
type budgetReader struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	b.left -= int64(len(p))
	if b.left < 0 {
		return 0, errDirectoryTooLarge
	}
	return b.r.ReadAt(p, off)
}

// wholePart tells the parts excelize decodes whole into memory when it
// opens a workbook: the content types, relationships, the workbook, its
// styles, theme and calculation chain. The sheets and the shared strings
// are streamed or counted (see CheckSheets); other parts are kept as bytes.
func wholePart(name string) bool {
	name = strings.ToLower(name)
	switch {
	case name == "[content_types].xml", strings.HasSuffix(name, ".rels"), strings.HasPrefix(name, "xl/theme/"):
		return true
	}
	switch path.Base(name) {
	case "workbook.xml", "styles.xml", "calcchain.xml":
		return true
	}
	return false
}

// worksheetPart tells the parts where worksheets usually are.
func worksheetPart(name string) bool {
	name = strings.ToLower(name)
	return strings.HasPrefix(name, "xl/worksheets/") && path.Ext(name) == ".xml"
}

// Check reads the zip directory of the workbook in r (size bytes), reading
// at most a few bytes per allowed part, and refuses a file that is not a
// zip with the parts of a workbook, that has more than MaxEntries parts, a
// part declaring more than MaxEntrySize (MaxPartSize for the parts decoded
// whole, MaxSheetSize for worksheets), more than MaxUncompressed in all,
// or more than MaxRatio times its size. Go's zip reader, which excelize uses too, then stops any part
// that inflates to more than it declares, so the declared sizes bound the
// work. Then it finds the sheets (see Workbook). Errors are *Refusal,
// with French messages.
func Check(r io.ReaderAt, size int64, l Limits) (*Workbook, error) {
	l = l.WithDefaults()
	budget := &budgetReader{r: r, left: directoryEndBytes + int64(l.MaxEntries)*directoryBytesPerEntry}
	zr, err := zip.NewReader(budget, size)
	switch {
	case errors.Is(err, errDirectoryTooLarge):
		return nil, tooManyEntries(l)
	case err != nil:
		return nil, &Refusal{Code: "not_xlsx", Message: "Ce fichier n'est pas un classeur Excel (.xlsx) : il n'est pas au format attendu (un classeur protégé par mot de passe n'est pas accepté)."}
	case len(zr.File) > l.MaxEntries:
		return nil, tooManyEntries(l)
	}
	var total uint64
	parts := map[string]bool{}
	for _, zf := range zr.File {
		max := l.MaxEntrySize
		switch {
		case wholePart(zf.Name):
			max = l.MaxPartSize
		case worksheetPart(zf.Name):
			max = l.MaxSheetSize
		}
		if zf.UncompressedSize64 > uint64(max) {
			return nil, &Refusal{Code: "too_large_unpacked", Message: fmt.Sprintf("Fichier refusé : une de ses parties (%s) se décompresse en plus de %d Mo.", shortName(zf.Name), max>>20)}
		}
		total += zf.UncompressedSize64 // at most MaxEntries × MaxEntrySize: no overflow
		if total > uint64(l.MaxUncompressed) {
			return nil, &Refusal{Code: "too_large_unpacked", Message: fmt.Sprintf("Fichier refusé : il se décompresse en plus de %d Mo.", l.MaxUncompressed>>20)}
		}
		parts[strings.ToLower(zf.Name)] = true
	}
	if total > ratioFloor && (size <= 0 || total/uint64(size) > uint64(l.MaxRatio)) {
		return nil, &Refusal{Code: "zip_bomb", Message: fmt.Sprintf("Fichier refusé : il se décompresse en plus de %d fois sa taille (archive piégée ?).", l.MaxRatio)}
	}
	if !parts["[content_types].xml"] || !parts["xl/workbook.xml"] {
		return nil, &Refusal{Code: "not_xlsx", Message: "Ce fichier n'est pas un classeur Excel (.xlsx) : il lui manque la description du classeur."}
	}
	budget.left = 1<<63 - 1 // the parts are read through it too
	return newWorkbook(zr, l.MaxPartSize)
}

func tooManyEntries(l Limits) error {
	return &Refusal{Code: "too_many_entries", Message: fmt.Sprintf("Fichier refusé : l'archive compte plus de %s parties.", thousands(l.MaxEntries))}
}
