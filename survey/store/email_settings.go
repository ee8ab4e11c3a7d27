package store

import (
	"capsat/survey"
	"context"
	"errors"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// emailSettingsDoc is a structure's e-mail settings, _id = structure id.
type emailSettingsDoc struct {
	ID       string               `bson:"_id"`
	Settings survey.EmailSettings `bson:"settings"`
}

// EmailSettings returns structure sid's e-mail settings, the defaults when
// it saved none (one read by _id).
func (s *Store) EmailSettings(ctx context.Context, sid string) (*survey.EmailSettings, error) {
	var d emailSettingsDoc
	err := s.findByID(ctx, colEmailSettings, sid, &d)
	if errors.Is(err, survey.ErrNotFound) {
		def := survey.DefaultEmailSettings()
		return &def, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read e-mail settings of %s: %w", sid, err)
	}
	if d.Settings.ServiceTypes == nil {
		d.Settings.ServiceTypes = []survey.ServiceType{}
	}
	if d.Settings.AlertAddresses == nil {
		d.Settings.AlertAddresses = []string{}
	}
	return &d.Settings, nil
}

// SaveEmailSettings checks and stores structure sid's e-mail settings
// (whole: PUT semantics). Settings apply to what is planned from then on.
func (s *Store) SaveEmailSettings(ctx context.Context, sid string, in survey.EmailSettings) (*survey.EmailSettings, error) {
	if err := s.validate.EmailSettings(&in); err != nil {
		return nil, err
	}
	if _, err := s.Structure(ctx, sid); err != nil {
		return nil, err
	}
	err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colEmailSettings).ReplaceOne(ctx, bson.M{"_id": sid},
			emailSettingsDoc{ID: sid, Settings: in}, options.Replace().SetUpsert(true))
		return Translate(err)
	})
	if err != nil {
		return nil, fmt.Errorf("save e-mail settings of %s: %w", sid, err)
	}
	return &in, nil
}

// OptedOut reports whether address email asked structure sid for no more
// survey messages (one read by _id).
func (s *Store) OptedOut(ctx context.Context, sid, email string) (bool, error) {
	var o survey.OptOut
	err := s.findByID(ctx, colOptOuts, survey.OptOutKey(sid, email), &o)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, survey.ErrNotFound):
		return false, nil
	}
	return false, fmt.Errorf("read opt-out: %w", err)
}

// OptOut records that address email wants no more survey messages from
// structure sid (idempotent).
func (s *Store) OptOut(ctx context.Context, sid, email string) error {
	o := survey.OptOut{ID: survey.OptOutKey(sid, email), StructureID: sid, Email: email, At: s.Now()}
	err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colOptOuts).InsertOne(ctx, o)
		return Translate(err)
	})
	if err != nil && !errors.Is(err, survey.ErrConflict) {
		return fmt.Errorf("opt out: %w", err)
	}
	return nil
}

// unsubscribeDoc is a one-click opt-out token of a message sent: the
// address and structure it stands for.
type unsubscribeDoc struct {
	Token       string `bson:"_id"`
	StructureID string `bson:"structure_id"`
	Email       string `bson:"email"`
	MessageID   string `bson:"message_id"`
}

// NewUnsubscribeToken stores and returns a fresh opt-out token for the
// recipient of message m (the List-Unsubscribe link of that mail).
func (s *Store) NewUnsubscribeToken(ctx context.Context, m *survey.OutboxMessage) (string, error) {
	d := unsubscribeDoc{Token: survey.NewToken(), StructureID: m.StructureID, Email: m.To, MessageID: m.ID}
	err := s.gated(ctx, func() error {
		_, err := s.db.Collection(colUnsubscribe).InsertOne(ctx, d)
		return Translate(err)
	})
	if err != nil {
		return "", fmt.Errorf("opt-out token: %w", err)
	}
	return d.Token, nil
}

// Unsubscription is what an opt-out token stands for.
type Unsubscription struct {
	StructureID string
	Email       string
	OptedOut    bool // already done
}

// ResolveUnsubscribe reads opt-out token tok (ErrNotFound when unknown).
func (s *Store) ResolveUnsubscribe(ctx context.Context, tok string) (*Unsubscription, error) {
	if !survey.ValidTokenShape(tok) {
		return nil, survey.ErrNotFound
	}
	var d unsubscribeDoc
	if err := s.findByID(ctx, colUnsubscribe, tok, &d); err != nil {
		return nil, err
	}
	done, err := s.OptedOut(ctx, d.StructureID, d.Email)
	if err != nil {
		return nil, err
	}
	return &Unsubscription{StructureID: d.StructureID, Email: d.Email, OptedOut: done}, nil
}
