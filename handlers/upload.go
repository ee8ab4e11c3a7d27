package handlers

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"

	"capsat/survey"

	"github.com/gin-gonic/gin"
)

// uploadEnvelopeBytes is what a multipart request may carry beyond its file.
const uploadEnvelopeBytes = 64 << 10

// uploadedWorkbook returns the Excel workbook posted in the form field
// "file", or a validation error on that field: "too_large" past max bytes
// (a 413, see problemOf), "required" with the message missing, "not_xlsx"
// with the message notXLSX. The API and the pages share it.
func uploadedWorkbook(c *gin.Context, max int64, missing, notXLSX string) (*multipart.FileHeader, error) {
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || (err == nil && fh.Size > max):
		message := fmt.Sprintf("Fichier trop volumineux (%s au plus).", sizeFr(max))
		v := &survey.ValidationError{Message: message}
		v.Add("file", codeTooLarge, message)
		return nil, v
	case err != nil:
		return nil, survey.Invalid("file", "required", missing)
	case !strings.EqualFold(filepath.Ext(fh.Filename), ".xlsx"):
		return nil, survey.Invalid("file", "not_xlsx", notXLSX)
	}
	return fh, nil
}
