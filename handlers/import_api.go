package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"capsat/survey"
	"capsat/survey/importfile"

	"github.com/gin-gonic/gin"
)

// importStore is what the order import needs from the store.
type importStore interface {
	ImportOrders(ctx context.Context, sid string, f *survey.ImportFile, dryRun bool) (*survey.ImportReport, error)
}

// importAPI serves POST /api/v1/structures/{sid}/orders/import.
type importAPI struct {
	store    importStore
	maxBytes int64
}

// importOrders reads the uploaded CSV or XLSX (multipart field "file"),
// applies its valid rows (or, with ?dry_run=true, only reports) and answers
// with the counts and the rejected rows.
func (h *importAPI) importOrders(c *gin.Context) {
	dryRun, err := strconv.ParseBool(c.DefaultQuery("dry_run", "false"))
	if err != nil {
		badRequest(c, "Paramètre invalide.", map[string]string{"dry_run": "true ou false attendu."})
		return
	}
	data, ok := h.readUpload(c)
	if !ok {
		return
	}
	f, err := importfile.ParseOrderImport(data)
	if err != nil {
		respondError(c, err)
		return
	}
	report, err := h.store.ImportOrders(c.Request.Context(), c.Param("sid"), f, dryRun)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, report)
}

// readUpload returns the content of the multipart part "file". It answers
// 400 when the request has no such part and 413 past the upload limit.
func (h *importAPI) readUpload(c *gin.Context) ([]byte, bool) {
	mr, err := c.Request.MultipartReader()
	if err != nil {
		badRequest(c, "Envoyez le fichier en multipart/form-data.", map[string]string{"file": "Fichier attendu dans le champ « file »."})
		return nil, false
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			h.uploadFailed(c, err)
			return nil, false
		}
		if part.FormName() != "file" {
			continue
		}
		data, err := io.ReadAll(part)
		if err != nil {
			h.uploadFailed(c, err)
			return nil, false
		}
		return data, true
	}
	badRequest(c, "Aucun fichier reçu.", map[string]string{"file": "Fichier attendu dans le champ « file »."})
	return nil, false
}

func (h *importAPI) uploadFailed(c *gin.Context, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		c.AbortWithStatusJSON(http.StatusRequestEntityTooLarge, apiError{
			Error:  "Fichier trop volumineux.",
			Fields: map[string]string{"file": fmt.Sprintf("Le fichier dépasse la taille maximale (%d Mo).", h.maxBytes>>20)},
		})
		return
	}
	badRequest(c, "Envoi du fichier interrompu ou mal formé.", map[string]string{"file": "Le contenu multipart est illisible : renvoyez le fichier."})
}
