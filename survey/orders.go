package survey

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// OrderInput is a purchase order as callers give it (API, forms, imports).
type OrderInput struct {
	Reference   string      `json:"reference"`
	ServiceType ServiceType `json:"service_type"`
	Client      Client      `json:"client"`
	JobTitle    string      `json:"job_title"`
	StartDate   string      `json:"start_date"`
	EndDate     string      `json:"end_date"`
	Hours       float64     `json:"hours"`
	Notes       string      `json:"notes"`
}

// Validate checks and normalises an order input.
func (in *OrderInput) Validate() error {
	v := &ValidationError{}
	in.Reference = strings.TrimSpace(in.Reference)
	in.Client.Company = strings.TrimSpace(in.Client.Company)
	in.Client.SIRET = strings.ReplaceAll(strings.TrimSpace(in.Client.SIRET), " ", "")
	if in.Reference == "" || len(in.Reference) > 64 {
		v.Add("reference", "required", "La référence du bon de commande est obligatoire (64 caractères au plus).")
	}
	if !in.ServiceType.Valid() {
		v.Add("service_type", "enum", "Type de prestation inconnu (mise_a_disposition ou mise_a_contrat).")
	}
	if in.Client.Company == "" {
		v.Add("client.company", "required", "Le nom du client est obligatoire.")
	}
	if in.Client.SIRET != "" && !ValidSIRET(in.Client.SIRET) {
		v.Add("client.siret", "siret", "SIRET invalide (14 chiffres, clé de contrôle)")
	}
	start, errStart := time.Parse(time.DateOnly, in.StartDate)
	if errStart != nil {
		v.Add("start_date", "date", "Date de début invalide (AAAA-MM-JJ).")
	}
	end, errEnd := time.Parse(time.DateOnly, in.EndDate)
	if in.EndDate != "" && errEnd != nil {
		v.Add("end_date", "date", "Date de fin invalide (AAAA-MM-JJ).")
	}
	if errStart == nil && errEnd == nil && end.Before(start) {
		v.Add("end_date", "end_before_start", "La date de fin ne peut pas précéder la date de début.")
	}
	if in.Hours < 0 || in.Hours > 10000 {
		v.Add("hours", "range", "Le nombre d'heures doit être compris entre 0 et 10 000.")
	}
	return v.OrNil()
}

// CreateOrder stores a new order. A duplicate reference within the
// structure is ErrConflict (a unique index enforces it).
func (s *Store) CreateOrder(ctx context.Context, sid string, in OrderInput) (*Order, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	now := s.Now()
	o := &Order{
		ID: NewID(), StructureID: sid, Reference: in.Reference, ServiceType: in.ServiceType,
		Client: in.Client, JobTitle: in.JobTitle, StartDate: in.StartDate, EndDate: in.EndDate,
		Hours: in.Hours, Notes: in.Notes, CreatedAt: now, UpdatedAt: now,
	}
	if _, err := s.db.Collection(colOrders).InsertOne(ctx, o); err != nil {
		return nil, fmt.Errorf("create order: %w", translate(err))
	}
	return o, nil
}

// Order returns one order of structure sid; another structure's order is
// ErrNotFound.
func (s *Store) Order(ctx context.Context, sid, oid string) (*Order, error) {
	if !ValidIDShape(oid) {
		return nil, ErrNotFound
	}
	var o Order
	if err := s.findByID(ctx, colOrders, oid, &o); err != nil {
		return nil, err
	}
	if o.StructureID != sid {
		return nil, ErrNotFound
	}
	return &o, nil
}
