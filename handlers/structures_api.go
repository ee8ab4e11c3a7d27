package handlers

import (
	"context"
	"net/http"

	"capsat/survey"
	"capsat/survey/accounts"

	"github.com/gin-gonic/gin"
)

// structureStore is what the structures API needs from the store.
type structureStore interface {
	CreateStructure(ctx context.Context, in survey.StructureInput) (*survey.Structure, error)
	Structure(ctx context.Context, id string) (*survey.Structure, error)
	ListStructures(ctx context.Context, f survey.StructureFilter) ([]survey.Structure, error)
	UpdateStructure(ctx context.Context, id string, p survey.StructurePatch) (*survey.Structure, error)
}

// structuresAPI serves /api/v1/structures.
type structuresAPI struct {
	store structureStore
}

// list returns the structures the caller may see: all for the federation,
// its region's for a region user, its own for a structure user.
func (h *structuresAPI) list(c *gin.Context) {
	who := principal(c)
	f := survey.StructureFilter{}
	switch who.Role {
	case accounts.RoleRegionViewer:
		f.Region = who.Region
	case accounts.RoleStructureAdmin, accounts.RoleStructureMember:
		f.IDs = []string{who.StructureID}
	}
	list, err := h.store.ListStructures(c.Request.Context(), f)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"structures": list})
}

func (h *structuresAPI) create(c *gin.Context) {
	var in survey.StructureInput
	if !bindJSON(c, &in) {
		return
	}
	st, err := h.store.CreateStructure(c.Request.Context(), in)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusCreated, st)
}

func (h *structuresAPI) get(c *gin.Context) {
	st, err := h.store.Structure(c.Request.Context(), c.Param("sid"))
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}

func (h *structuresAPI) update(c *gin.Context) {
	var p survey.StructurePatch
	if !bindJSON(c, &p) {
		return
	}
	st, err := h.store.UpdateStructure(c.Request.Context(), c.Param("sid"), p)
	if err != nil {
		respondError(c, err)
		return
	}
	c.JSON(http.StatusOK, st)
}
