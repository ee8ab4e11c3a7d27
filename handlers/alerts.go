package handlers

import (
	"context"
	"errors"
	"log/slog"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/notices"
)

// alertStore is what dissatisfaction alerts need.
type alertStore interface {
	mailQueue
	Structure(ctx context.Context, id string) (*survey.Structure, error)
	EmailSettings(ctx context.Context, sid string) (*survey.EmailSettings, error)
	UserByEmail(ctx context.Context, email string) (*accounts.User, error)
	Message(ctx context.Context, sid, id string) (*survey.OutboxMessage, error)
}

// alerter enqueues the alert of a dissatisfied answer to each of its
// structure's alert addresses, but those whose account turned alerts off.
type alerter struct {
	store   alertStore
	mails   *notices.Templates
	baseURL string
	log     *slog.Logger
	wake    func() // asks the sender loop for a round now (nil: none)
}

// answered is called once an answer is stored. An alert that cannot be
// enqueued is logged: the answer stands, and the follow-up page lists it.
func (a *alerter) answered(ctx context.Context, r *survey.Response) {
	if a == nil || r == nil || !r.Flagged {
		return
	}
	if err := a.enqueue(context.WithoutCancel(ctx), r); err != nil {
		a.log.Error("dissatisfaction alert not enqueued", slog.String("order", r.OrderID), slog.String("error", err.Error()))
	}
}

func (a *alerter) enqueue(ctx context.Context, r *survey.Response) error {
	settings, err := a.store.EmailSettings(ctx, r.StructureID)
	if err != nil || len(settings.AlertAddresses) == 0 {
		return err
	}
	st, err := a.store.Structure(ctx, r.StructureID)
	if err != nil {
		return err
	}
	var errs []error
	for _, to := range settings.AlertAddresses {
		if u, err := a.store.UserByEmail(ctx, to); err == nil && u.MailOff.Alerts {
			continue
		}
		msg, err := a.mails.Alert(a.baseURL, st, r.OrderID, r.OrderReference, to)
		if err != nil {
			return err
		}
		// Its _id is the order's and the address's: once per answer.
		if _, err := a.store.Message(ctx, st.ID, msg.ID); err == nil {
			continue
		}
		if err := a.store.Enqueue(ctx, msg); err != nil && !errors.Is(err, survey.ErrConflict) {
			errs = append(errs, err)
		}
	}
	if a.wake != nil {
		a.wake()
	}
	return errors.Join(errs...)
}
