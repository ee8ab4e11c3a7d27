package handlers

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"capsat/config"
	"capsat/export/exporttest"
	"capsat/survey"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// benchExportResponses is the size of the structure of the export benchmark.
const benchExportResponses = 100_000

// BenchmarkSatisfactionExportHTTP100k measures the satisfaction workbook of
// a structure with 100,000 responses in a year, end to end: the HTTP route
// reading the store (the embedded FerretDB unless MONGODB_URI is set),
// computing and writing the workbook. Beside it, in the same run: the
// store read alone, excelize's streaming writer alone writing the same raw
// cells (the baseline of the target), and a bare find of every response
// (what reading the collections cost before ledgers).
//
//	go test ./handlers -run '^$' -bench SatisfactionExportHTTP100k -benchtime 1x -timeout 30m
func BenchmarkSatisfactionExportHTTP100k(b *testing.B) {
	ctx := context.Background()
	paris := survey.IndicatorLocation()
	clock := &surveytest.Clock{T: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)}
	store := surveytest.Store(b, clock.Now)
	figures := surveytest.ReadModel(b, store)
	st := surveytest.Structure(b, store, "AI du Bocage", "Normandie")
	began := time.Now()
	surveytest.SeedYear(b, store, st.ID, benchExportResponses, time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC))
	seeded := time.Since(began)
	rep, err := figures.RebuildSummaries(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("seeded %d responses in %s; summaries and ledgers rebuilt in %.1f s", benchExportResponses, seeded.Round(time.Second), rep.Seconds)
	r, err := NewRouter(Deps{Store: store, ReadModel: figures, Config: config.Default(), Logger: slog.New(slog.DiscardHandler), Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	key, err := createBenchKey(ctx, store, st.ID)
	if err != nil {
		b.Fatal(err)
	}
	year := survey.DateRange{From: time.Date(2025, 1, 1, 0, 0, 0, 0, paris), To: time.Date(2025, 12, 31, 0, 0, 0, 0, paris)}
	b.Run("http_export", func(b *testing.B) {
		exporttest.Measure(b, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, "/api/v1/structures/"+st.ID+"/exports/satisfaction.xlsx?from=2025-01-01&to=2025-12-31", nil)
			req.Header.Set("Authorization", "Bearer "+key)
			w := &countingWriter{header: http.Header{}}
			r.ServeHTTP(w, req)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
			b.ReportMetric(float64(w.n)/(1<<20), "file-MB")
		})
	})
	var src *survey.IndicatorSource
	b.Run("store_read_only", func(b *testing.B) {
		exporttest.Measure(b, func(b *testing.B) {
			src, err = figures.IndicatorSource(ctx, st.ID, survey.DateRange{From: year.Previous().From, To: year.To})
			if err != nil {
				b.Fatal(err)
			}
			if len(src.Responses) != benchExportResponses {
				b.Fatalf("%d responses read", len(src.Responses))
			}
		})
	})
	b.Run("baseline_streamwriter_raw_cells", func(b *testing.B) {
		exporttest.Measure(b, func(b *testing.B) {
			if _, rows, err := exporttest.RawCells(src, year); err != nil || rows != benchExportResponses {
				b.Fatalf("%d rows, %v", rows, err)
			}
		})
	})
	b.Run("find_all_responses", func(b *testing.B) {
		exporttest.Measure(b, func(b *testing.B) {
			cur, err := store.DB().Collection("responses").Find(ctx, bson.M{}, options.Find().SetBatchSize(2000))
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for cur.Next(ctx) {
				n++
			}
			_ = cur.Close(ctx)
			if n != benchExportResponses {
				b.Fatalf("%d responses", n)
			}
		})
	})
}

// countingWriter is a response writer that counts the body and keeps
// nothing, as a socket would: the benchmark measures the server's memory,
// not a client's copy of the file.
type countingWriter struct {
	header http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }

func (w *countingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(b)
	return len(b), nil
}
