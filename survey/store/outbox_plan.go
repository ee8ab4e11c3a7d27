package store

import (
	"capsat/survey"
	"context"
	"errors"
	"time"
)

// PlanInvitation plans, moves or drops order o's automatic invitation after
// o was created, edited or imported: one is planned (InvitationTime) when
// the structure sends its orders of o's service type automatically, o has
// a client e-mail, a survey that may still be sent and a client who did not
// opt out, and no invitation went yet. An imported order already over is
// history: it gets none ("Envoyer les questionnaires" sends those).
func (s *Store) PlanInvitation(ctx context.Context, o *survey.Order, imported bool) error {
	settings, err := s.EmailSettings(ctx, o.StructureID)
	if err != nil {
		return err
	}
	return s.planInvitation(ctx, o, settings, imported)
}

func (s *Store) planInvitation(ctx context.Context, o *survey.Order, settings *survey.EmailSettings, imported bool) error {
	now := s.Now()
	at, ok := survey.InvitationTime(o, now)
	want := ok && settings.AutoSendFor(o.ServiceType) && survey.SurveyMessageBlocked(o, survey.KindInvitation, now) == ""
	if want && imported && !at.After(now) {
		want = false
	}
	why := survey.CancelReplanned
	if want {
		out, err := s.OptedOut(ctx, o.StructureID, o.Client.Email)
		if err != nil {
			return err
		}
		if out {
			want, why = false, survey.CancelOptedOut
		}
	}
	msgs, err := s.OrderMessages(ctx, o.StructureID, o.ID)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Kind != survey.KindInvitation {
			continue
		}
		switch {
		case m.Status == survey.MessageSent:
			return nil // invited: reminders follow their own plan
		case m.Status == survey.MessageQueued && !m.Manual:
			if want && m.To == o.Client.Email && m.PlannedAt.Equal(at) {
				return nil
			}
			if err := s.CancelMessage(ctx, m.ID, why); err != nil && !errors.Is(err, survey.ErrConflict) {
				return err
			}
		case m.Status == survey.MessageQueued:
			return nil // someone asked for it: it goes as asked
		}
	}
	if !want {
		return nil
	}
	return s.Enqueue(ctx, &survey.OutboxMessage{
		StructureID: o.StructureID, OrderID: o.ID, Kind: survey.KindInvitation, To: o.Client.Email, PlannedAt: at,
	})
}

// planAfterWrite plans o's invitation after an order was created or
// edited, logging a failure: the order is stored, its next edit plans
// again, and "Envoyer par e-mail" sends it by hand.
func (s *Store) planAfterWrite(ctx context.Context, o *survey.Order) {
	if err := s.PlanInvitation(ctx, o, false); err != nil {
		s.log.Warn("plan invitation", "order", o.ID, "error", err.Error())
	}
}

// PlanImported plans the invitations of the orders an import created or
// changed (by id), reading the structure's settings once: nothing more is
// read when it does not send automatically.
func (s *Store) PlanImported(ctx context.Context, sid string, ids []string) error {
	settings, err := s.EmailSettings(ctx, sid)
	if err != nil || !settings.AutoSend {
		return err
	}
	for _, oid := range ids {
		o, err := s.orderForMail(ctx, sid, oid)
		if errors.Is(err, survey.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if o.Client.Email == "" {
			continue
		}
		if err := s.planInvitation(ctx, o, settings, true); err != nil {
			return err
		}
	}
	return nil
}

// Messages the manual actions refuse with.
const (
	MsgNoClientEmail = "Ce bon de commande n'a pas d'adresse e-mail client : ajoutez-la pour envoyer le questionnaire."
	MsgOptedOut      = "Ce client a demandé à ne plus recevoir de questionnaires de votre structure."
	MsgNoLiveLink    = "Ce bon de commande n'a pas de questionnaire en cours : envoyez d'abord le questionnaire."
)

// SendSurveyNow queues order oid's survey link for its client now
// ("Envoyer par e-mail": an invitation, issuing the link if needed;
// "Relancer": a reminder of the live link). Refused with a validation
// error on client.email when the order has none (422), ErrAlreadyAnswered
// or a conflict when answered or the client opted out (409).
func (s *Store) SendSurveyNow(ctx context.Context, sid, oid string, kind survey.MessageKind) (*survey.OutboxMessage, error) {
	o, err := s.orderForMail(ctx, sid, oid)
	if err != nil {
		return nil, err
	}
	if o.SurveyStatusAt(s.Now()) == survey.SurveyAnswered {
		return nil, survey.ErrAlreadyAnswered
	}
	if o.Client.Email == "" {
		return nil, survey.Invalid("client.email", "required", MsgNoClientEmail)
	}
	out, err := s.OptedOut(ctx, sid, o.Client.Email)
	if err != nil {
		return nil, err
	}
	if out {
		return nil, survey.ConflictOn("client.email", "opted_out", MsgOptedOut)
	}
	var link *survey.SurveyLink
	switch kind {
	case survey.KindInvitation:
		if link, err = s.IssueSurvey(ctx, sid, oid); err != nil {
			return nil, err
		}
	case survey.KindReminder:
		if o.SurveyStatusAt(s.Now()) != survey.SurveyIssued {
			return nil, survey.Conflict(MsgNoLiveLink)
		}
		link = &survey.SurveyLink{Token: o.Survey.Token, StructureID: sid, OrderID: oid, IssuedAt: o.Survey.IssuedAt}
	default:
		return nil, errors.New("send survey: unknown kind " + string(kind))
	}
	m := &survey.OutboxMessage{StructureID: sid, OrderID: oid, Kind: kind, To: o.Client.Email, Manual: true}
	if err := s.Enqueue(ctx, m); err != nil {
		return nil, err
	}
	// Queued: the link is handed out by e-mail, unless it was before.
	if _, err := s.RecordLinkHandOut(ctx, link, survey.ChannelEmail); err != nil {
		return nil, err
	}
	return m, nil
}

// SendSurveysNow queues an invitation for each of the orders ids of
// structure sid that may get one ("Envoyer les questionnaires"), and tells
// how many were queued and why the others were not (by order id).
func (s *Store) SendSurveysNow(ctx context.Context, sid string, ids []string) (queued int, refused map[string]error, err error) {
	refused = map[string]error{}
	for _, oid := range ids {
		if err := ctx.Err(); err != nil {
			return queued, refused, err
		}
		_, err := s.SendSurveyNow(ctx, sid, oid, survey.KindInvitation)
		var verr *survey.ValidationError
		var cerr *survey.ConflictError
		switch {
		case err == nil:
			queued++
		case errors.As(err, &verr), errors.As(err, &cerr), errors.Is(err, survey.ErrAlreadyAnswered), errors.Is(err, survey.ErrNotFound), errors.Is(err, survey.ErrConflict):
			refused[oid] = err
		default:
			return queued, refused, err
		}
	}
	return queued, refused, nil
}

// SurveyMail is what a survey message shows, read right before it is sent.
type SurveyMail struct {
	Order       survey.Order
	Structure   survey.Structure
	Settings    survey.EmailSettings
	Token       string    // the survey link's token
	ExpiresAt   time.Time // the link's expiry
	Unsubscribe string    // the one-click opt-out token of this mail
}

// PrepareSurveyMail reads, right before claimed message m is sent, what it
// will show: the order by _id (issuing its link for an invitation that has
// none yet), its structure and settings. It returns a French reason instead
// when m must not go: the order answered, its link cancelled or expired,
// the order deleted, the client opted out.
func (s *Store) PrepareSurveyMail(ctx context.Context, m *survey.OutboxMessage) (*SurveyMail, string, error) {
	o, err := s.orderForMail(ctx, m.StructureID, m.OrderID)
	if errors.Is(err, survey.ErrNotFound) {
		return nil, survey.CancelDeleted, nil
	}
	if err != nil {
		return nil, "", err
	}
	now := s.Now()
	if why := survey.SurveyMessageBlocked(o, m.Kind, now); why != "" {
		return nil, why, nil
	}
	out, err := s.OptedOut(ctx, m.StructureID, m.To)
	if err != nil {
		return nil, "", err
	}
	if out {
		return nil, survey.CancelOptedOut, nil
	}
	if o.Survey == nil || o.SurveyStatusAt(now) != survey.SurveyIssued {
		if _, err := s.IssueSurvey(ctx, m.StructureID, m.OrderID); err != nil {
			switch {
			case errors.Is(err, survey.ErrAlreadyAnswered):
				return nil, survey.CancelAnswered, nil
			case errors.Is(err, survey.ErrNotFound):
				return nil, survey.CancelDeleted, nil
			}
			return nil, "", err
		}
		if o, err = s.orderForMail(ctx, m.StructureID, m.OrderID); err != nil {
			return nil, "", err
		}
		if o.Survey == nil {
			return nil, "", errors.New("prepare mail: link issued but not on the order")
		}
	}
	st, err := s.Structure(ctx, m.StructureID)
	if err != nil {
		return nil, "", err
	}
	settings, err := s.EmailSettings(ctx, m.StructureID)
	if err != nil {
		return nil, "", err
	}
	tok, err := s.NewUnsubscribeToken(ctx, m)
	if err != nil {
		return nil, "", err
	}
	// A planned invitation hands its link out when it goes (its link may
	// be issued only now); a manual one recorded it when queued.
	if _, err := s.RecordHandOut(ctx, o, survey.ChannelEmail); err != nil {
		return nil, "", err
	}
	return &SurveyMail{Order: *o, Structure: *st, Settings: *settings, Token: o.Survey.Token, ExpiresAt: o.Survey.ExpiresAt, Unsubscribe: tok}, "", nil
}
