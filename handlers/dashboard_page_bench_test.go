package handlers

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/store"
	"capsat/survey/surveytest"
)

// benchDashboardResponses is the number of answered orders of the benchmark.
const benchDashboardResponses = 300

// BenchmarkDashboardPage measures the dashboard page (store reads, indicators,
// benchmark, follow-up count, template) against its baseline: reading the
// indicator source and computing the indicators alone.
func BenchmarkDashboardPage(b *testing.B) {
	ctx := context.Background()
	clock := &surveytest.Clock{T: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	store := surveytest.Store(b, clock.Now)
	figures := surveytest.ReadModel(b, store)
	st := surveytest.Structure(b, store, "AI du Bocage", "Normandie")
	for i := range benchDashboardResponses {
		o, err := store.CreateOrder(ctx, st.ID, survey.OrderInput{Reference: fmt.Sprintf("BC-%d", i), ServiceType: survey.ServiceMAD, Client: survey.Client{Company: "Mairie"}, StartDate: "2026-02-02"})
		if err != nil {
			b.Fatal(err)
		}
		l, err := store.IssueSurvey(ctx, st.ID, o.ID)
		if err != nil {
			b.Fatal(err)
		}
		overall := []string{"tres_satisfait", "satisfait", "peu_satisfait", "pas_du_tout_satisfait"}[i%4]
		answers := map[string]string{"reactivite": "satisfait", "adequation_profil": "satisfait", "qualite_travail": "satisfait", "ponctualite": "satisfait",
			"suivi_mission": "satisfait", "clarte_administratif": "satisfait", "satisfaction_globale": overall, "reutiliser": "oui",
			"recommandation": fmt.Sprint(i % 11), "commentaire": "Commentaire " + fmt.Sprint(i)}
		if _, err := store.SubmitResponse(ctx, l.Token, answers); err != nil {
			b.Fatal(err)
		}
	}
	cfg := config.Default()
	r, err := NewRouter(Deps{Store: store, ReadModel: figures, Config: cfg, Logger: slog.New(slog.DiscardHandler), Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	key, err := createBenchKey(ctx, store, st.ID)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline_indicators_only", func(b *testing.B) {
		q := survey.IndicatorQuery{Range: dashboardPeriod(clock.Now()), By: survey.ByMonth}
		for b.Loop() {
			src, err := figures.IndicatorSource(ctx, st.ID, q.Range)
			if err != nil {
				b.Fatal(err)
			}
			survey.ComputeIndicators(src, q, clock.Now())
		}
	})
	b.Run("dashboard_page", func(b *testing.B) {
		for b.Loop() {
			req := httptest.NewRequest(http.MethodGet, structurePagesPath(st.ID), nil)
			req.Header.Set("Authorization", "Bearer "+key)
			rec := httptest.NewRecorder()
			r.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("dashboard: %d", rec.Code)
			}
		}
	})
}

func createBenchKey(ctx context.Context, store *store.Store, sid string) (string, error) {
	_, plain, err := store.CreateAPIKey(ctx, accounts.APIKeyInput{Name: "bench", Role: accounts.RoleStructureMember, StructureID: sid})
	return plain, err
}
