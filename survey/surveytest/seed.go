package surveytest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/store"
)

// SeedYear stores, for benchmarks, n answered orders of structure sid and
// n/5 unanswered ones, their surveys issued over the year from start with
// the structure's published questionnaires (one order in four a mise à
// contrat), and the responses: answers spread as in a satisfied network
// (about 80 % satisfied, a recommendation of 9 or 10 one time in two, so
// that a quarter of the responses call for a follow-up), one comment in
// five. It writes the documents directly, in batches, as an import of
// history would, and leaves the summaries and ledgers to RebuildSummaries.
func SeedYear(tb testing.TB, s *store.Store, sid string, n int, start time.Time) {
	tb.Helper()
	ctx := context.Background()
	qs, err := s.ListQuestionnaires(ctx, sid)
	if err != nil {
		tb.Fatal(err)
	}
	published := func(st survey.ServiceType) *survey.Questionnaire {
		for i := range qs {
			if qs[i].Status == survey.StatusPublished && slices.Contains(qs[i].ServiceTypes, st) {
				return &qs[i]
			}
		}
		tb.Fatalf("no published questionnaire for %s", st)
		return nil
	}
	mad, mac := published(survey.ServiceMAD), published(survey.ServiceMAC)
	// Out of 40: 16 very satisfied, 16 satisfied, 5 not very, 1 not at
	// all, 2 not applicable; recommendations out of 20.
	levels := slices.Concat(
		slices.Repeat([]string{"tres_satisfait"}, 16), slices.Repeat([]string{"satisfait"}, 16),
		slices.Repeat([]string{"peu_satisfait"}, 5), []string{"pas_du_tout_satisfait"}, slices.Repeat([]string{"sans_objet"}, 2))
	scores := []int{10, 10, 10, 10, 10, 9, 9, 9, 9, 9, 8, 8, 8, 8, 7, 7, 7, 6, 5, 3}
	var orders, responses []any
	flush := func(force bool) {
		for _, batch := range []struct {
			col  string
			docs *[]any
		}{{"orders", &orders}, {"responses", &responses}} {
			if len(*batch.docs) >= 2000 || (force && len(*batch.docs) > 0) {
				if _, err := s.DB().Collection(batch.col).InsertMany(ctx, *batch.docs); err != nil {
					tb.Fatal(err)
				}
				*batch.docs = (*batch.docs)[:0]
			}
		}
	}
	for i := 0; i < n+n/5; i++ {
		id := fmt.Sprintf("%024x", i)
		issued := start.Add(time.Duration(i%(364*24)) * time.Hour)
		st, q := survey.ServiceMAD, mad
		if i%4 == 0 {
			st, q = survey.ServiceMAC, mac
		}
		ref := "BC-" + strconv.Itoa(i)
		o := survey.Order{ID: id, StructureID: sid, Reference: ref, ReferenceKey: survey.ReferenceKey(ref), ServiceType: st,
			Client: survey.Client{Company: "Client " + strconv.Itoa(i%500)}, JobTitle: "Agent d'entretien",
			StartDate: issued.Format(time.DateOnly), EndDate: issued.AddDate(0, 0, 10).Format(time.DateOnly),
			Survey: &survey.OrderSurvey{Token: "t" + id, QuestionnaireID: q.ID, IssuedAt: issued, ExpiresAt: issued.AddDate(0, 0, 60)}}
		if i < n {
			answered := issued.Add(48 * time.Hour)
			o.Survey.AnsweredAt = &answered
			answers := make(map[string]string, len(q.Questions))
			for j, qu := range q.Questions {
				switch qu.Type {
				case survey.QuestionScale:
					answers[qu.Code] = levels[(i*7+j*13)%len(levels)]
				case survey.QuestionYesNo:
					answers[qu.Code] = []string{survey.YesAnswer, survey.YesAnswer, survey.YesAnswer, survey.NoAnswer}[i%4]
				case survey.QuestionNPS:
					answers[qu.Code] = strconv.Itoa(scores[i%len(scores)])
				case survey.QuestionText:
					if i%5 == 0 {
						answers[qu.Code] = "Intervention conforme, personne ponctuelle et agréable. Merci " + strconv.Itoa(i)
					}
				}
			}
			responses = append(responses, survey.Response{OrderID: id, StructureID: sid, OrderReference: o.Reference, ServiceType: st,
				JobTitle: o.JobTitle, QuestionnaireID: q.ID, QuestionnaireFamily: q.FamilyID, QuestionnaireVersion: q.Version,
				IssuedAt: issued, SubmittedAt: answered, Answers: answers, Flagged: survey.IsDissatisfied(q, answers)})
		}
		orders = append(orders, o)
		flush(false)
	}
	flush(true)
}
