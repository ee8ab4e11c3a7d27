package survey

import (
	"time"
)

// UploadRow is one row of an "Indicateurs" sheet: Service is empty for
// "Toutes" (both services).
type UploadRow struct {
	Code        string
	Month       string
	Service     ServiceType
	Value       float64
	HasValue    bool
	Numerator   int
	Denominator int
}

// UploadedMonth is what a self-hosted structure reported for one month.
// It stands for that structure × month in network figures, instead of any
// local summary.
type UploadedMonth struct {
	ID          string            `bson:"_id" json:"-"` // "<structure id>:<YYYY-MM>"
	StructureID string            `bson:"structure_id" json:"structure_id"`
	Month       string            `bson:"month" json:"month"`
	FileName    string            `bson:"file_name" json:"file_name"`
	UploadedAt  time.Time         `bson:"uploaded_at" json:"uploaded_at"`
	Services    []UploadedService `bson:"services" json:"services"`
}

// UploadedService is the figures of one service ("" = Toutes) in an upload.
type UploadedService struct {
	Service ServiceType `bson:"service" json:"service"`
	Figures NetFigures  `bson:"figures" json:"figures"`
}

// UploadResult says what an upload replaced.
type UploadResult struct {
	StructureID string   `json:"structure_id"`
	Months      []string `json:"months"`
	Replaced    []string `json:"replaced"` // months that had an earlier upload
}

// UploadedMonths groups rows by month and service into documents.
func UploadedMonths(sid, fileName string, now time.Time, rows []UploadRow) map[string]*UploadedMonth {
	responses := map[string]int{} // month/service → REPONSES, the base of volumes
	for _, r := range rows {
		if r.Code == FigureResponses {
			responses[r.Month+"/"+string(r.Service)] = r.Numerator
		}
	}
	out := map[string]*UploadedMonth{}
	for _, r := range rows {
		doc := out[r.Month]
		if doc == nil {
			doc = &UploadedMonth{ID: SummaryID(sid, r.Month), StructureID: sid, Month: r.Month, FileName: fileName, UploadedAt: now}
			out[r.Month] = doc
		}
		fig := ImportedFigure(r.Code, r.Value, r.HasValue, r.Numerator, r.Denominator, responses[r.Month+"/"+string(r.Service)])
		doc.service(r.Service).Figures[r.Code] = fig
	}
	return out
}

func (u *UploadedMonth) service(st ServiceType) *UploadedService {
	for i := range u.Services {
		if u.Services[i].Service == st {
			return &u.Services[i]
		}
	}
	u.Services = append(u.Services, UploadedService{Service: st, Figures: NetFigures{}})
	return &u.Services[len(u.Services)-1]
}

// figuresFor returns the upload's figures for a service ("" = both): the
// per-service rows when the workbook has them, else its "Toutes" rows.
func (u *UploadedMonth) FiguresFor(st ServiceType) NetFigures {
	out := NetFigures{}
	var all NetFigures
	found := false
	for _, us := range u.Services {
		switch {
		case us.Service == "":
			all = us.Figures
		case st == "" || us.Service == st:
			out.Add(us.Figures)
			found = true
		}
	}
	if !found && st == "" && all != nil {
		out.Add(all)
	}
	return out
}
