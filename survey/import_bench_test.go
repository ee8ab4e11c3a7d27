package survey_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

const benchRows = 10000

// importCSV writes n orders as French Excel exports them; hoursSuffix
// changes every row's hours, to make a re-import update them all.
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

// importFresh parses data and imports it into a new structure of a new
// database, returning the store and the structure id. Only the parse and
// the import run under the benchmark's timer.
func importFresh(b *testing.B, data []byte) (*survey.Store, string, *survey.ImportReport) {
	b.StopTimer()
	s := surveytest.Store(b, nil)
	st := surveytest.Structure(b, s, "AI", "Normandie")
	b.StartTimer()
	f, err := survey.ParseOrderImport(data)
	if err != nil {
		b.Fatal(err)
	}
	rep, err := s.ImportOrders(context.Background(), st.ID, f, false)
	if err != nil {
		b.Fatal(err)
	}
	return s, st.ID, rep
}

// BenchmarkImport10k measures a 10,000-row import (parse, load, diff,
// write) against its floor: InsertMany of the same 10,000 orders.
// Run: go test ./survey -run '^$' -bench Import10k -benchtime 3x
func BenchmarkImport10k(b *testing.B) {
	data := importCSV(benchRows, "5")

	b.Run("baseline_insertmany", func(b *testing.B) {
		f, err := survey.ParseOrderImport(data)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			b.StopTimer()
			s := surveytest.Store(b, nil)
			st := surveytest.Structure(b, s, "AI", "Normandie")
			docs := make([]any, len(f.Rows))
			for i, r := range f.Rows {
				in := r.Input
				docs[i] = survey.Order{ID: survey.NewID(), StructureID: st.ID, Reference: in.Reference, ServiceType: in.ServiceType,
					Client: in.Client, JobTitle: in.JobTitle, StartDate: in.StartDate, EndDate: in.EndDate, Hours: in.Hours,
					Notes: in.Notes, CreatedAt: time.Now(), UpdatedAt: time.Now()}
			}
			b.StartTimer()
			if _, err := s.DB().Collection("orders").InsertMany(context.Background(), docs, options.InsertMany().SetOrdered(false)); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("parse_only", func(b *testing.B) {
		for b.Loop() {
			if _, err := survey.ParseOrderImport(data); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("import_new", func(b *testing.B) {
		for b.Loop() {
			_, _, rep := importFresh(b, data)
			if rep.Created != benchRows {
				b.Fatalf("%d created, %d rejected", rep.Created, len(rep.Rejected))
			}
		}
	})

	b.Run("reimport_unchanged", func(b *testing.B) {
		s, sid, _ := importFresh(b, data)
		for b.Loop() {
			f, err := survey.ParseOrderImport(data)
			if err != nil {
				b.Fatal(err)
			}
			rep, err := s.ImportOrders(context.Background(), sid, f, false)
			if err != nil || rep.Unchanged != benchRows {
				b.Fatalf("%+v %v", rep, err)
			}
		}
	})
}

// BenchmarkImportUpdates measures a re-import that changes n orders of a
// structure holding 10,000: each change is one update by _id.
func BenchmarkImportUpdates(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("changed_%d_of_10000", n), func(b *testing.B) {
			base := importCSV(benchRows, "5")
			changed := append(importCSV(n, "75"), importCSV(benchRows, "5")[len(importCSV(n, "5")):]...)
			for b.Loop() {
				s, sid, _ := importFresh(b, base)
				b.StopTimer()
				f, err := survey.ParseOrderImport(changed)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				rep, err := s.ImportOrders(context.Background(), sid, f, false)
				if err != nil || rep.Updated != n || rep.Unchanged != benchRows-n {
					b.Fatalf("%d updated, %d unchanged, %v", rep.Updated, rep.Unchanged, err)
				}
			}
		})
	}
}

