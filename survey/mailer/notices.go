package mailer

import (
	"context"
	"errors"

	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/notices"
)

// NoticeStore is what the composer of notices needs: the accounts, whose
// e-mail choices are read again right before sending.
type NoticeStore interface {
	UserByEmail(ctx context.Context, email string) (*accounts.User, error)
}

// Reasons a notice is cancelled rather than sent.
const (
	CancelAlertsOff = "Le destinataire a désactivé les alertes dans « Mon compte »."
	CancelDigestOff = "Le destinataire a désactivé le récapitulatif mensuel dans « Mon compte »."
	CancelNoContent = "Message enregistré sans contenu."
)

// RegisterNotices registers the composer of the messages of package
// notices (password resets, alerts, digests): they were composed when
// enqueued and are sent as they are, from capsat, unless the recipient
// turned their kind off since.
func (m *Mailer) RegisterNotices(s NoticeStore) {
	compose := func(ctx context.Context, msg *survey.OutboxMessage) (*Mail, string, error) {
		if msg.Data[notices.DataSubject] == "" || msg.Data[notices.DataText] == "" {
			return nil, CancelNoContent, nil
		}
		if msg.Kind != notices.KindPasswordReset {
			u, err := s.UserByEmail(ctx, msg.To)
			switch {
			case errors.Is(err, survey.ErrNotFound):
			case err != nil:
				return nil, "", err
			case msg.Kind == notices.KindAlert && u.MailOff.Alerts:
				return nil, CancelAlertsOff, nil
			case msg.Kind != notices.KindAlert && u.MailOff.Digest:
				return nil, CancelDigestOff, nil
			}
		}
		return &Mail{
			FromName: "capsat", To: msg.To, Subject: msg.Data[notices.DataSubject],
			Text: msg.Data[notices.DataText], HTML: msg.Data[notices.DataHTML],
		}, "", nil
	}
	for _, k := range []survey.MessageKind{notices.KindPasswordReset, notices.KindAlert, notices.KindStructureDigest, notices.KindRegionDigest} {
		m.Register(k, compose)
	}
}
