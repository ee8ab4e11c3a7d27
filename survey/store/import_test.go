package store_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/importfile"
	"capsat/survey/store"
	"capsat/survey/surveytest"

	"go.mongodb.org/mongo-driver/v2/bson"
)

func parseImport(t testing.TB, data string) *survey.ImportFile {
	t.Helper()
	f, err := importfile.ParseOrderImport([]byte(data))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return f
}

// storedOrder reads an order of the structure by reference (tests only:
// a filter other than _id scans the collection on the embedded store).
func storedOrder(t *testing.T, s *store.Store, sid, ref string) survey.Order {
	t.Helper()
	var o survey.Order
	if err := s.DB().Collection("orders").FindOne(context.Background(), bson.M{"structure_id": sid, "reference": ref}).Decode(&o); err != nil {
		t.Fatalf("order %s: %v", ref, err)
	}
	return o
}

func TestImportStoresTheSampleFileValues(t *testing.T) {
	t.Parallel()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s := surveytest.Store(t, clock.Now)
	st := surveytest.Structure(t, s, "AI du Bocage", "Normandie")
	data, err := os.ReadFile("../../handlers/testdata/import/commandes.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, err := importfile.ParseOrderImport(data)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.ImportOrders(t.Context(), st.ID, f, false)
	if err != nil || rep.Created != 4 || len(rep.Rejected) != 0 {
		t.Fatalf("%+v %v", rep, err)
	}
	o := storedOrder(t, s, st.ID, "BC-2026-0102")
	want := survey.Order{
		ID: o.ID, StructureID: st.ID, Reference: "BC-2026-0102", ServiceType: survey.ServiceMAD,
		Client:   survey.Client{Company: "Boulangerie Lefèvre", SIRET: "73282932000074", ContactName: "M. Lefèvre", Email: "contact@boulangerie-lefevre.fr", Phone: o.Client.Phone},
		JobTitle: "Aide boulanger(ère)", StartDate: "2026-03-09", EndDate: "2026-03-27", Hours: 52.5,
		Notes:     "Horaires décalés : 5h-12h.\nPrévoir chaussures de sécurité.",
		CreatedAt: clock.Now(), UpdatedAt: clock.Now(),
	}
	// The phone is kept as the orders' validation normalises it.
	if o.Client.Phone == "" {
		t.Error("phone lost")
	}
	if o.Client != want.Client || o.Reference != want.Reference || o.ServiceType != want.ServiceType ||
		o.JobTitle != want.JobTitle || o.StartDate != want.StartDate || o.EndDate != want.EndDate ||
		o.Hours != want.Hours || o.Notes != want.Notes || !o.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("stored %+v\nwant   %+v", o, want)
	}
	if hiring := storedOrder(t, s, st.ID, "BC-2026-0103"); hiring.ServiceType != survey.ServiceMAC || hiring.EndDate != "" {
		t.Fatalf("hiring order: %+v", hiring)
	}
}

func TestImportKeepsColumnsTheFileDoesNotHave(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	_, err := s.CreateOrder(t.Context(), st.ID, survey.OrderInput{
		Reference: "BC-1", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie", Email: "mairie@example.fr"},
		JobTitle: "Agent", StartDate: "2026-03-02", EndDate: "2026-03-20", Hours: 35, Notes: "note",
	})
	if err != nil {
		t.Fatal(err)
	}
	// Only four columns: the end date moves, everything else stays.
	f := parseImport(t, "Référence;Prestation;Client;Début;Fin\nBC-1;MAD;Mairie;02/03/2026;27/03/2026\n")
	rep, err := s.ImportOrders(t.Context(), st.ID, f, false)
	if err != nil || rep.Updated != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	o := storedOrder(t, s, st.ID, "BC-1")
	if o.EndDate != "2026-03-27" || o.Client.Email != "mairie@example.fr" || o.JobTitle != "Agent" || o.Hours != 35 || o.Notes != "note" {
		t.Fatalf("%+v", o)
	}
	// An end date before the stored start date is refused on the merged order.
	f = parseImport(t, "Référence;Prestation;Client;Début;Fin\nBC-1;MAD;Mairie;02/03/2026;01/03/2026\n")
	if rep, err := s.ImportOrders(t.Context(), st.ID, f, false); err != nil || len(rep.Rejected) != 1 || rep.Rejected[0].Column != "Fin" {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestImportRaceBecomesRejectedRows(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	f := parseImport(t, "N° commande;Type de prestation;Client;Date début\nBC-1;MAD;A;02/03/2026\nBC-2;MAD;B;02/03/2026\nBC-3;MAD;C;02/03/2026\n")
	// Another import wrote BC-2 after this one read the structure's orders.
	if _, err := s.CreateOrder(t.Context(), st.ID, survey.OrderInput{Reference: "BC-2", ServiceType: survey.ServiceMAC, Client: survey.Client{Company: "Z"}, StartDate: "2026-03-01"}); err != nil {
		t.Fatal(err)
	}
	rep, err := s.ImportWithStaleView(t.Context(), st.ID, f)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Row != 3 || rep.Rejected[0].Column != "N° commande" {
		t.Fatalf("%+v", rep)
	}
	if o := storedOrder(t, s, st.ID, "BC-2"); o.Client.Company != "Z" {
		t.Fatalf("the concurrent order was overwritten: %+v", o)
	}
}

func TestImportRefusesToChangeAnOrderWithAResponse(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	o, err := s.CreateOrder(t.Context(), st.ID, survey.OrderInput{Reference: "BC-1", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "A"}, StartDate: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurvey(t.Context(), st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	// A response whose copy on the order was never written (a crash between
	// the two writes): the response itself still protects the order.
	if _, err := s.DB().Collection("responses").InsertOne(t.Context(), bson.M{"_id": o.ID, "structure_id": st.ID}); err != nil {
		t.Fatal(err)
	}
	f := parseImport(t, "N° commande;Type de prestation;Client;Date début\nBC-1;MAD;A modifié;02/03/2026\n")
	rep, err := s.ImportOrders(t.Context(), st.ID, f, false)
	if err != nil || rep.Updated != 0 || len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Message, "réponse") {
		t.Fatalf("%+v %v", rep, err)
	}
	if got := storedOrder(t, s, st.ID, "BC-1"); got.Client.Company != "A" {
		t.Fatalf("answered order changed: %+v", got)
	}
}

func TestImportIsScopedToItsStructure(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	a := surveytest.Structure(t, s, "AI A", "Bretagne")
	b := surveytest.Structure(t, s, "AI B", "Bretagne")
	f := parseImport(t, "N° commande;Type de prestation;Client;Date début\nBC-1;MAD;Client;02/03/2026\n")
	for _, sid := range []string{a.ID, b.ID} {
		if rep, err := s.ImportOrders(t.Context(), sid, f, false); err != nil || rep.Created != 1 {
			t.Fatalf("%+v %v", rep, err)
		}
	}
}

func TestImportRefusesAServiceTypeChangeWhileASurveyIsLive(t *testing.T) {
	t.Parallel()
	s := surveytest.Store(t, nil)
	st := surveytest.Structure(t, s, "AI", "Bretagne")
	o, err := s.CreateOrder(t.Context(), st.ID, survey.OrderInput{Reference: "BC-1", ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "A"}, StartDate: "2026-03-02"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.IssueSurvey(t.Context(), st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	f := parseImport(t, "N° commande;Type de prestation;Client;Date début\nBC-1;Recrutement;A;02/03/2026\n")
	rep, err := s.ImportOrders(t.Context(), st.ID, f, false)
	if err != nil || len(rep.Rejected) != 1 || rep.Rejected[0].Column != "Type de prestation" {
		t.Fatalf("%+v %v", rep, err)
	}
	// Once the link is cancelled the change goes through.
	if err := s.CancelSurvey(t.Context(), st.ID, o.ID); err != nil {
		t.Fatal(err)
	}
	if rep, err := s.ImportOrders(t.Context(), st.ID, f, false); err != nil || rep.Updated != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
}
