package export

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"capsat/survey"
	"capsat/survey/xlsxguard"

	"github.com/xuri/excelize/v2"
)

// UploadLimits bound what an uploaded workbook may unpack to, checked on
// the zip directory before anything is decompressed (see xlsxguard).
type UploadLimits = xlsxguard.Limits

// DefaultUploadLimits fit real dashboards and structure workbooks (a few
// MB unpacked, ratios around 10) with a wide margin while refusing zip
// bombs.
var DefaultUploadLimits = xlsxguard.Default

// unreadableUpload refuses a workbook excelize cannot read.
var unreadableUpload = survey.Invalid("file", "not_xlsx", "Ce fichier n'est pas un classeur Excel (.xlsx) lisible.")

// openUpload opens an uploaded workbook of size bytes once xlsxguard has
// checked, before anything is unpacked, its zip against limits, then,
// streaming their XML, the rows and cells of the sheets read chooses
// against sheets. A workbook without a styles part gets a default one, so
// that styles can be added; one whose styles lack a required list is
// refused. Refusals are validation errors on field "file".
func openUpload(r io.ReaderAt, size int64, limits UploadLimits,
	read func(*xlsxguard.Workbook) []xlsxguard.Sheet, sheets xlsxguard.SheetLimits) (*excelize.File, error) {
	book, err := xlsxguard.Check(r, size, limits)
	if err != nil {
		return nil, refusal(err)
	}
	if err := book.CheckSheets(read(book), sheets); err != nil {
		return nil, refusal(err)
	}
	var src io.Reader = io.NewSectionReader(r, 0, size)
	if !book.Has(stylesPart) {
		data, err := withDefaultStyles(r, size)
		if err != nil {
			return nil, survey.Invalid("file", "not_xlsx", "Ce classeur n'a pas de feuille de styles et sa description ne permet pas d'en ajouter une : ouvrez-le et enregistrez-le de nouveau dans Excel.")
		}
		src = bytes.NewReader(data)
	}
	limits = limits.WithDefaults()
	f, err := excelize.OpenReader(src, excelize.Options{UnzipSizeLimit: limits.MaxUncompressed, UnzipXMLSizeLimit: limits.MaxUncompressed})
	if err != nil {
		return nil, unreadableUpload
	}
	if s := f.Styles; s == nil || s.Fonts == nil || s.Fills == nil || s.Borders == nil || s.CellXfs == nil {
		_ = f.Close()
		return nil, survey.Invalid("file", "not_xlsx", "La feuille de styles de ce classeur est incomplète : ouvrez-le et enregistrez-le de nouveau dans Excel.")
	}
	return f, nil
}

// refusal turns a refusal of xlsxguard into a validation error on "file".
func refusal(err error) error {
	var r *xlsxguard.Refusal
	if errors.As(err, &r) {
		return survey.Invalid("file", r.Code, r.Message)
	}
	return err
}

// refuseOnPanic turns a panic of excelize on a malformed workbook into the
// refusal of the file: deferred around the reading of an upload, as a last
// resort behind the checks that avoid the panics known.
func refuseOnPanic(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w (panic: %v)", survey.Invalid("file", "unreadable", "Ce classeur n'a pas pu être lu : il est peut-être endommagé. Ouvrez-le et enregistrez-le de nouveau dans Excel, puis réessayez."), r)
	}
}
