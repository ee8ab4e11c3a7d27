package store

import (
	"capsat/survey"
	"context"
	"errors"
)

// planNextReminder plans the reminder that follows message m, just sent:
// reminder 1 after an invitation, k+1 after automatic reminder k, when the
// structure's settings send its orders automatically and ask for one more
// (EmailSettings.ReminderTime). A manual reminder plans nothing. Planning
// twice is harmless: a reminder of that number already there is kept.
func (s *Store) planNextReminder(ctx context.Context, m *survey.OutboxMessage) error {
	if !m.Kind.Survey() || (m.Kind == survey.KindReminder && m.Manual) {
		return nil
	}
	settings, err := s.EmailSettings(ctx, m.StructureID)
	if err != nil {
		return err
	}
	o, err := s.orderForMail(ctx, m.StructureID, m.OrderID)
	if errors.Is(err, survey.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !settings.AutoSendFor(o.ServiceType) || o.Survey == nil || o.SurveyStatusAt(s.Now()) != survey.SurveyIssued {
		return nil
	}
	msgs, err := s.OrderMessages(ctx, m.StructureID, m.OrderID)
	if err != nil {
		return err
	}
	// The schedule counts from the last invitation sent.
	invited := m.SentAt
	k := 1
	if m.Kind == survey.KindReminder {
		k = m.Reminder + 1
		for _, x := range msgs {
			if x.Kind == survey.KindInvitation && x.Status == survey.MessageSent && x.SentAt != nil {
				invited = x.SentAt
			}
		}
	}
	if invited == nil {
		return nil
	}
	for _, x := range msgs {
		if x.Kind == survey.KindReminder && !x.Manual && x.Reminder == k && !x.CreatedAt.Before(*invited) {
			return nil
		}
	}
	at, ok := settings.ReminderTime(k, *invited, o.Survey.ExpiresAt)
	if !ok {
		return nil
	}
	return s.Enqueue(ctx, &survey.OutboxMessage{
		StructureID: m.StructureID, OrderID: m.OrderID, Kind: survey.KindReminder,
		To: m.To, Reminder: k, PlannedAt: at,
	})
}
