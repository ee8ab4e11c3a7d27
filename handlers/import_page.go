package handlers

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"

	"capsat/survey"
	"capsat/survey/importfile"

	"github.com/gin-gonic/gin"
)

// importPageStore is what the import page needs.
type importPageStore interface {
	backofficeStore
	ImportOrders(ctx context.Context, sid string, f *survey.ImportFile, dryRun bool) (*survey.ImportReport, error)
	SaveImportBatch(ctx context.Context, sid string, ids []string) (string, error)
	Order(ctx context.Context, sid, oid string) (*survey.Order, error)
}

// importPage imports orders in two steps: the upload shows a dry-run
// preview with every rejected row; confirming applies the same file, kept
// in the confirmation form (base64) so that nothing is stored in between.
type importPage struct {
	store    importPageStore
	views    *views
	maxBytes int64
}

// importView is the data of import.html.
type importView struct {
	pageBase
	Errors   *formErrors
	Preview  *survey.ImportReport
	Rows     []importPreviewRow       // the file's first rows, with their errors
	More     int                      // rows of the file after them
	Later    []survey.ImportRejection // errors of the rows after them
	FileName string
	Data     string // the uploaded file, base64, for the confirmation
	Done     *survey.ImportReport
	Batch    string         // the created orders, for "Envoyer les questionnaires" (mail_pages.go)
	Imported []survey.Order // the orders of the applied import the page links (at most importLinked)
	Columns  []importfile.Column
}

// show draws the upload form, or the result of an applied import.
func (h *importPage) show(c *gin.Context) {
	v := importView{}
	if c.Query("applique") == "1" {
		v.Done = &survey.ImportReport{Created: atoiOr0(c.Query("crees")), Updated: atoiOr0(c.Query("modifies")), Unchanged: atoiOr0(c.Query("inchanges"))}
		v.Batch = c.Query("lot")
		v.Imported = h.importedOrders(c, c.QueryArray("bon"))
	}
	h.render(c, http.StatusOK, v)
}

// importedOrders reads the orders an applied import names in its result's
// address, each by _id; another structure's or a deleted one is left out.
func (h *importPage) importedOrders(c *gin.Context, ids []string) []survey.Order {
	var out []survey.Order
	for _, id := range ids[:min(len(ids), importLinked)] {
		if o, err := h.store.Order(c.Request.Context(), c.Param("sid"), id); err == nil {
			out = append(out, *o)
		}
	}
	return out
}

func atoiOr0(s string) int {
	n, _ := strconv.Atoi(s)
	return max(n, 0)
}

func (h *importPage) render(c *gin.Context, status int, v importView) {
	base, ok := newPageBase(c, h.store, structurePagesPath(c.Param("sid"))+"/commandes")
	if !ok {
		return
	}
	v.pageBase = base
	v.Columns = importfile.Columns()
	h.views.render(c, status, "import", v)
}

// upload previews an uploaded file (dry run), or applies the confirmed one.
func (h *importPage) upload(c *gin.Context) {
	name, data, err := h.file(c)
	if err != nil {
		fe, ok := newFormErrors(err, []string{"file"}, nil)
		if !ok {
			refusePage(c, err) // the upload could not be read: not the user's doing
			return
		}
		h.render(c, formStatus(err), importView{Errors: fe})
		return
	}
	f, err := importfile.ParseOrderImport(data)
	if err == nil {
		apply := c.PostForm("confirm") == "1"
		var report *survey.ImportReport
		report, err = h.store.ImportOrders(c.Request.Context(), c.Param("sid"), f, !apply)
		if err == nil && apply {
			q := url.Values{"applique": {"1"}, "crees": {strconv.Itoa(report.Created)}, "modifies": {strconv.Itoa(report.Updated)}, "inchanges": {strconv.Itoa(report.Unchanged)}}
			if len(report.CreatedIDs) > 0 {
				if lot, err := h.store.SaveImportBatch(c.Request.Context(), c.Param("sid"), report.CreatedIDs); err == nil {
					q.Set("lot", lot)
				}
			}
			for _, o := range report.Orders[:min(len(report.Orders), importLinked)] {
				q.Add("bon", o.ID)
			}
			c.Redirect(http.StatusSeeOther, structurePagesPath(c.Param("sid"))+"/commandes/import?"+q.Encode())
			return
		}
		if err == nil {
			v := importView{Preview: report, FileName: name, Data: base64.StdEncoding.EncodeToString(data)}
			v.Rows, v.More, v.Later = importPreview(f, report)
			h.render(c, http.StatusOK, v)
			return
		}
	}
	if fe, bad := newFormErrors(err, []string{"file"}, nil); bad {
		if len(fe.Fields) == 0 {
			fe = addFormError(nil, "file", fe.Message)
		}
		h.render(c, formStatus(err), importView{Errors: fe})
		return
	}
	refusePage(c, err)
}

// file returns the uploaded file, or the one carried by the confirmation.
func (h *importPage) file(c *gin.Context) (string, []byte, error) {
	if kept := c.PostForm("data"); kept != "" {
		data, err := base64.StdEncoding.DecodeString(kept)
		if err != nil || int64(len(data)) > h.maxBytes {
			return "", nil, survey.Invalid("file", "kept", "Le fichier à importer n'a pas été retrouvé : déposez-le de nouveau.")
		}
		return filepath.Base(c.PostForm("file_name")), data, nil
	}
	fh, err := c.FormFile("file")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig) || (err == nil && fh.Size > h.maxBytes):
		return "", nil, survey.Invalid("file", "too_large", fmt.Sprintf("Le fichier dépasse la taille maximale (%d Mo).", h.maxBytes>>20))
	case err != nil:
		return "", nil, survey.Invalid("file", "required", "Choisissez le fichier des bons de commande (CSV ou Excel .xlsx).")
	}
	rd, err := fh.Open()
	if err != nil {
		return "", nil, fmt.Errorf("open upload: %w", err)
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, h.maxBytes+1))
	if err != nil {
		return "", nil, fmt.Errorf("read upload: %w", err)
	}
	return filepath.Base(fh.Filename), data, nil
}

// templateCSV sends the import template as CSV.
func (h *importPage) templateCSV(c *gin.Context) {
	c.Header("Content-Disposition", `attachment; filename="modele-import-bons.csv"`)
	c.Header("Cache-Control", "no-store")
	c.Header("X-Content-Type-Options", "nosniff")
	c.Data(http.StatusOK, "text/csv; charset=utf-8", importfile.TemplateCSV())
}

// templateXLSX sends the import template as an Excel workbook.
func (h *importPage) templateXLSX(c *gin.Context) {
	data, err := importfile.TemplateXLSX()
	if err != nil {
		refusePage(c, err)
		return
	}
	sendWorkbook(c, "modèle import bons", data)
}
