package export

import (
	"archive/zip"
	"fmt"
	"io"

	"capsat/survey"

	"github.com/xuri/excelize/v2"
)

// UploadLimits bound what an uploaded workbook may unpack to, checked on
// the zip directory before anything is decompressed.
type UploadLimits struct {
	MaxUncompressed int64 // total declared size of the entries
	MaxRatio        int64 // total declared size / size of the file
}

// DefaultUploadLimits fit real dashboards (a few MB unpacked, ratios
// around 10) with a wide margin while refusing zip bombs.
var DefaultUploadLimits = UploadLimits{MaxUncompressed: 200 << 20, MaxRatio: 200}

// checkZip refuses, from the zip directory alone, a file that is not a zip
// with the parts of a workbook, or whose entries declare too much data.
// Go's zip reader then enforces the declared sizes while decompressing.
func checkZip(r io.ReaderAt, size int64, limits UploadLimits) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return survey.Invalid("file", "not_xlsx", "Ce fichier n'est pas un classeur Excel (.xlsx) : il n'est pas au format attendu (un classeur protégé par mot de passe n'est pas accepté).")
	}
	var total uint64
	parts := map[string]bool{}
	for _, zf := range zr.File {
		total += zf.UncompressedSize64
		parts[zf.Name] = true
		if total > uint64(limits.MaxUncompressed) {
			return survey.Invalid("file", "too_large_unpacked", fmt.Sprintf("Ce classeur décompressé dépasserait %d Mo : il est refusé.", limits.MaxUncompressed>>20))
		}
	}
	if size > 0 && total/uint64(size) > uint64(limits.MaxRatio) {
		return survey.Invalid("file", "zip_bomb", fmt.Sprintf("Ce fichier se décompresse en %d fois sa taille : il est refusé (archive piégée ?).", total/uint64(size)))
	}
	if !parts["[Content_Types].xml"] || !parts["xl/workbook.xml"] {
		return survey.Invalid("file", "not_xlsx", "Ce fichier n'est pas un classeur Excel (.xlsx).")
	}
	return nil
}

// openUpload opens an uploaded workbook of size bytes, once checkZip has
// refused a file that unpacks to too much; a file that is not an xlsx is a
// validation error on field "file".
func openUpload(r io.ReaderAt, size int64, limits UploadLimits) (*excelize.File, error) {
	if err := checkZip(r, size, limits); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{
		UnzipSizeLimit: limits.MaxUncompressed, UnzipXMLSizeLimit: limits.MaxUncompressed,
	})
	if err != nil {
		return nil, survey.Invalid("file", "not_xlsx", "Ce fichier n'est pas un classeur Excel (.xlsx) lisible.")
	}
	return f, nil
}
