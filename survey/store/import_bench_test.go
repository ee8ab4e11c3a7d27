package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/importfile"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const benchRows = 10000

// importCSV writes n orders as French Excel exports them; hoursSuffix sets
// every row's hours decimals, so that a second file can change them all.
func importCSV(n int, hoursSuffix string) []byte {
	var b strings.Builder
	b.WriteString("N° commande;Type de prestation;Client;SIRET;Contact;Email;Téléphone;Poste;Date début;Date fin;Heures;Observations\r\n")
	for i := range n {
		service := "Mise à disposition"
		if i%3 == 0 {
			service = "Recrutement"
		}
		day := 1 + i%28
		fmt.Fprintf(&b, "BC-%06d;%s;Entreprise n°%d;%s;Mme Dupré %d;contact%d@exemple.fr;02 31 %02d %02d %02d;Agent d'entretien;%02d/03/2026;%02d/04/2026;35,%s;\"Remarque %d\r\nsur deux lignes\"\r\n",
			i, service, i%500, surveytest.ValidSIRET, i, i, i%100, (i/100)%100, i%97, day, day, hoursSuffix, i)
	}
	return []byte(b.String())
}

// benchStructure returns a store on a new database with one structure.
func benchStructure(b *testing.B) (*store.Store, string) {
	s := surveytest.Store(b, nil)
	return s, surveytest.Structure(b, s, "AI", "Normandie").ID
}

// timed runs f and returns its duration.
func timed(b *testing.B, f func() error) time.Duration {
	start := time.Now()
	if err := f(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// BenchmarkImport10k measures, in each iteration and so under the same
// machine load, a 10,000-row import into an empty structure, the re-import
// of the same file (10,000 unchanged) and the baseline: InsertMany of the
// same 10,000 orders straight into an empty collection. Parsing counts in
// the import times. Setup (databases, structures) is outside all timings.
// Run: go test ./survey/store -run '^$' -bench Import10k -benchtime 3x
func BenchmarkImport10k(b *testing.B) {
	data := importCSV(benchRows, "5")
	var baseline, first, again time.Duration
	for b.Loop() {
		b.StopTimer()
		baseStore, baseSID := benchStructure(b)
		store, sid := benchStructure(b)
		docs := ordersOf(b, data, baseSID)
		b.StartTimer()
		baseline += timed(b, func() error {
			_, err := baseStore.DB().Collection("orders").InsertMany(context.Background(), docs, options.InsertMany().SetOrdered(false))
			return err
		})
		first += timed(b, func() error { return importAndExpect(store, sid, data, benchRows, 0, 0) })
		again += timed(b, func() error { return importAndExpect(store, sid, data, 0, 0, benchRows) })
	}
	n := float64(b.N)
	b.ReportMetric(baseline.Seconds()/n, "baseline-s")
	b.ReportMetric(first.Seconds()/n, "import-s")
	b.ReportMetric(again.Seconds()/n, "reimport-s")
	b.ReportMetric(first.Seconds()/baseline.Seconds(), "import/baseline")
	b.ReportMetric(again.Seconds()/baseline.Seconds(), "reimport/baseline")
}

// BenchmarkImportUpdates measures a re-import that changes 1,000 orders of
// a structure holding 10,000 (one update by _id each) against the
// re-import of the unchanged file, in the same iteration.
func BenchmarkImportUpdates(b *testing.B) {
	const changedRows = 1000
	base := importCSV(benchRows, "5")
	changed := append(importCSV(changedRows, "75"), base[len(importCSV(changedRows, "5")):]...)
	var unchanged, updated time.Duration
	for b.Loop() {
		b.StopTimer()
		store, sid := benchStructure(b)
		if err := importAndExpect(store, sid, base, benchRows, 0, 0); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		unchanged += timed(b, func() error { return importAndExpect(store, sid, base, 0, 0, benchRows) })
		updated += timed(b, func() error { return importAndExpect(store, sid, changed, 0, changedRows, benchRows-changedRows) })
	}
	n := float64(b.N)
	b.ReportMetric(unchanged.Seconds()/n, "reimport-s")
	b.ReportMetric(updated.Seconds()/n, "update1000-s")
	b.ReportMetric(updated.Seconds()/unchanged.Seconds(), "update1000/reimport")
}

// importAndExpect parses and imports data, checking the counts.
func importAndExpect(s *store.Store, sid string, data []byte, created, updated, unchanged int) error {
	f, err := importfile.ParseOrderImport(data)
	if err != nil {
		return err
	}
	rep, err := s.ImportOrders(context.Background(), sid, f, false)
	if err != nil {
		return err
	}
	if rep.Created != created || rep.Updated != updated || rep.Unchanged != unchanged || len(rep.Rejected) != 0 {
		return fmt.Errorf("import: %d created, %d updated, %d unchanged, %d rejected (%v)", rep.Created, rep.Updated, rep.Unchanged, len(rep.Rejected), rep.Rejected[:min(3, len(rep.Rejected))])
	}
	return nil
}

// ordersOf builds the orders of data as the baseline inserts them.
func ordersOf(b *testing.B, data []byte, sid string) []any {
	f, err := importfile.ParseOrderImport(data)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	docs := make([]any, len(f.Rows))
	for i, r := range f.Rows {
		in := r.Input
		if err := survey.NewValidator().Order(&in); err != nil {
			b.Fatal(err)
		}
		docs[i] = survey.Order{ID: survey.NewID(), StructureID: sid, Reference: in.Reference, ReferenceKey: survey.ReferenceKey(in.Reference), ServiceType: in.ServiceType,
			Client: in.Client, JobTitle: in.JobTitle, StartDate: in.StartDate, EndDate: in.EndDate, Hours: in.Hours,
			Notes: in.Notes, CreatedAt: now, UpdatedAt: now}
	}
	return docs
}
