package readmodel

import (
	"context"

	"capsat/survey"
)

// Benchmark compares structure sid with its region and the network.
func (s *Model) Benchmark(ctx context.Context, sid string, p survey.MonthSpan, service survey.ServiceType) (*survey.Benchmark, error) {
	st, err := s.store.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	agg, err := s.Aggregate(ctx, survey.AggregateQuery{Period: p, Service: service})
	if err != nil {
		return nil, err
	}
	return survey.CompareStructure(st, agg), nil
}
