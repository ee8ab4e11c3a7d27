package readmodel

import (
	"capsat/survey"
	"capsat/survey/store"
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Aggregate reads the period's summaries and uploads (never raw responses)
// and sums them nationally, by region, by structure type, by structure and
// by month. Its cost grows with structures × months.
func (s *Model) Aggregate(ctx context.Context, q survey.AggregateQuery) (*survey.Aggregate, error) {
	structures, err := s.store.ListStructures(ctx, survey.StructureFilter{})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*survey.Structure, len(structures))
	for i := range structures {
		byID[structures[i].ID] = &structures[i]
	}
	uploads, err := s.store.UploadsIn(ctx, q.Period)
	if err != nil {
		return nil, err
	}
	months, count, err := s.summaryFiguresIn(ctx, q, uploads)
	if err != nil {
		return nil, err
	}
	agg := &survey.Aggregate{Query: q, Network: survey.NetFigures{}, SummaryCount: count, Uploads: []survey.UploadSource{}}
	for _, u := range uploads {
		months = append(months, survey.MonthFigures{StructureID: u.StructureID, Month: u.Month, Figures: u.FiguresFor(q.Service), Uploaded: true})
		if st := byID[u.StructureID]; st != nil && (q.Region == "" || st.Region == q.Region) {
			agg.Uploads = append(agg.Uploads, survey.UploadSource{Structure: survey.DisplayName(st), Month: u.Month, FileName: u.FileName, UploadedAt: u.UploadedAt})
		}
	}
	agg.Sum(months, byID, q.Period)
	return agg, nil
}

// summaryFiguresIn reads the period's summaries in one pass (the embedded
// store scans whatever the filter) and turns each into figures; a
// structure-month with an upload is left to the upload.
func (s *Model) summaryFiguresIn(ctx context.Context, q survey.AggregateQuery, uploads []survey.UploadedMonth) ([]survey.MonthFigures, int, error) {
	uploaded := map[string]bool{}
	for _, u := range uploads {
		uploaded[u.ID] = true
	}
	filter := bson.M{"month": bson.M{"$gte": q.Period.From, "$lte": q.Period.To}}
	cur, err := s.db.Collection(colSummaries).Find(ctx, filter, options.Find().SetBatchSize(1000))
	if err != nil {
		return nil, 0, fmt.Errorf("read summaries: %w", store.Translate(err))
	}
	defer cur.Close(ctx)
	var out []survey.MonthFigures
	count := 0
	for cur.Next(ctx) {
		var rec summaryRecord
		if err := cur.Decode(&rec); err != nil {
			return nil, 0, fmt.Errorf("read summaries: %w", store.Translate(err))
		}
		sum, err := rec.summary()
		if err != nil {
			return nil, 0, err
		}
		count++
		if uploaded[sum.ID] {
			continue
		}
		f := survey.NetFigures{}
		for _, ss := range sum.Services {
			if q.Service == "" || ss.Service == q.Service {
				f.Add(survey.FiguresOf(ss))
			}
		}
		out = append(out, survey.MonthFigures{StructureID: sum.StructureID, Month: sum.Month, Figures: f})
	}
	if err := cur.Err(); err != nil {
		return nil, 0, fmt.Errorf("read summaries: %w", store.Translate(err))
	}
	return out, count, nil
}
