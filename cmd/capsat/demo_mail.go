package main

import (
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"strings"
	"time"

	"capsat/survey"
	"capsat/survey/mailer"
	"capsat/survey/store"

	gomail "github.com/wneessen/go-mail"
)

// demoMailReport counts the demo's e-mails by status.
type demoMailReport struct {
	Created  bool `json:"created"` // false: found from an earlier run
	Sent     int  `json:"sent"`
	Queued   int  `json:"queued"`
	Failed   int  `json:"failed"`
	Canceled int  `json:"cancelled"`
}

// demoTransport stands for an SMTP server: it accepts every message except
// those to refused.example.org, answered as a real server would.
type demoTransport struct{}

func (demoTransport) Send(_ context.Context, m *gomail.Msg) error {
	for _, to := range m.GetToString() {
		if strings.Contains(to, "@refused.example.org") {
			return &textproto.Error{Code: 550, Msg: "5.1.1 Adresse inconnue"}
		}
	}
	return nil
}
func (demoTransport) Close() error { return nil }

// demoMail gives the first structure automatic sending and four orders
// whose messages went through the real outbox: one sent with its reminder
// planned, one answered (reminder cancelled), one refused by the server,
// one whose client opted out. A second run finds them and adds nothing.
func demoMail(ctx context.Context, st *store.Store, first demoStructureReport, baseURL string) (*demoMailReport, error) {
	set := survey.DefaultEmailSettings()
	set.AutoSend = true
	set.SenderName = first.Name
	set.ReplyTo = "contact@demo.capsat.fr"
	if _, err := st.SaveEmailSettings(ctx, first.ID, set); err != nil {
		return nil, err
	}
	yesterday := time.Now().AddDate(0, 0, -1)
	emails := []string{"mairie@client.example.org", "ehpad@client.example.org", "atelier@refused.example.org", "garage@client.example.org"}
	rep := &demoMailReport{Created: true}
	var orders []*survey.Order
	for i, email := range emails {
		o, err := st.CreateOrder(ctx, first.ID, survey.OrderInput{
			Reference: fmt.Sprintf("DEMO-MAIL-%d", i+1), ServiceType: survey.ServiceMAD,
			Client:   survey.Client{Company: "Client de démonstration", ContactName: "M. Martin", Email: email},
			JobTitle: "Agent d'entretien", StartDate: yesterday.AddDate(0, 0, -10).Format(time.DateOnly), EndDate: yesterday.Format(time.DateOnly), Hours: 35,
		})
		var cerr *survey.ConflictError
		if errors.As(err, &cerr) {
			rep.Created = false
			break
		}
		if err != nil {
			return nil, err
		}
		orders = append(orders, o)
	}
	if rep.Created {
		if err := st.OptOut(ctx, first.ID, emails[3]); err != nil {
			return nil, err
		}
		m, err := mailer.New(mailer.Options{Store: st, Transport: demoTransport{}, From: "ne-pas-repondre@demo.capsat.fr", BaseURL: baseURL})
		if err != nil {
			return nil, err
		}
		if _, err := m.RunOnce(ctx); err != nil {
			return nil, err
		}
		// The second client answers: its planned reminder is cancelled.
		o, err := st.Order(ctx, first.ID, orders[1].ID)
		if err != nil {
			return nil, err
		}
		if o.Survey != nil {
			sc, err := st.ResolveToken(ctx, o.Survey.Token)
			if err != nil {
				return nil, err
			}
			if _, err := st.SubmitResponse(ctx, o.Survey.Token, demoMailAnswers(&sc.Questionnaire)); err != nil {
				return nil, err
			}
		}
	}
	page, err := st.StructureMessages(ctx, first.ID, store.MessageFilter{PerPage: 200})
	if err != nil {
		return nil, err
	}
	for _, m := range page.Messages {
		switch m.Status {
		case survey.MessageSent:
			rep.Sent++
		case survey.MessageQueued:
			rep.Queued++
		case survey.MessageFailed:
			rep.Failed++
		case survey.MessageCancelled:
			rep.Canceled++
		}
	}
	return rep, nil
}

// demoMailAnswers answers every question favourably.
func demoMailAnswers(q *survey.Questionnaire) map[string]string {
	a := map[string]string{}
	for _, qu := range q.Questions {
		switch qu.Type {
		case survey.QuestionScale:
			a[qu.Code] = "tres_satisfait"
		case survey.QuestionYesNo:
			a[qu.Code] = survey.YesAnswer
		case survey.QuestionNPS:
			a[qu.Code] = "9"
		case survey.QuestionChoice:
			if len(qu.Choices) > 0 {
				a[qu.Code] = qu.Choices[0]
			}
		}
	}
	return a
}
