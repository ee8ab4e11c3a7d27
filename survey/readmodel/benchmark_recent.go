package readmodel

import (
	"context"
	"time"

	"capsat/survey"
)

// benchmarkFreshness is how old the region's and the network's figures
// beside a structure's dashboard may be: they sum every structure's
// summaries of the period, which would make each dashboard view cost what
// the whole network holds.
const benchmarkFreshness = time.Minute

// maxRecentAggregates bounds the kept aggregates (periods and services
// asked for); past it they are all dropped.
const maxRecentAggregates = 64

// RecentBenchmark is Benchmark for a structure's dashboard and own
// workbook: its region's and the network's figures from an aggregate at
// most benchmarkFreshness old, its own figures as of now, from its own
// summaries (or, for a period with an uploaded month, from the aggregate).
func (s *Model) RecentBenchmark(ctx context.Context, sid string, p survey.MonthSpan, service survey.ServiceType) (*survey.Benchmark, error) {
	return s.RecentBenchmarkFrom(ctx, sid, p, service, nil)
}

// RecentBenchmarkFrom is RecentBenchmark taking the structure's own
// figures from tallies already read for the months of p (the dashboard's
// source), when there are some, instead of reading its summaries again.
func (s *Model) RecentBenchmarkFrom(ctx context.Context, sid string, p survey.MonthSpan, service survey.ServiceType, tallies []survey.MonthTally) (*survey.Benchmark, error) {
	st, err := s.store.Structure(ctx, sid)
	if err != nil {
		return nil, err
	}
	agg, err := s.recentAggregate(ctx, survey.AggregateQuery{Period: p, Service: service})
	if err != nil {
		return nil, err
	}
	own, uploaded := survey.OwnFigures(agg, sid)
	if !uploaded {
		if len(tallies) == 0 {
			months := p.Months()
			sums, err := s.monthSummaries(ctx, sid, months)
			if err != nil {
				return nil, err
			}
			for i, sum := range sums {
				for _, ss := range sum.Services {
					tallies = append(tallies, survey.MonthTally{Month: months[i], Service: ss})
				}
			}
		}
		own = survey.NetFigures{}
		for _, t := range tallies {
			if service == "" || t.Service.Service == service {
				own.Add(survey.FiguresOf(t.Service))
			}
		}
	}
	return survey.CompareStructureWith(st, agg, own), nil
}

// recentAggregate is Aggregate(q), computed again once benchmarkFreshness
// has passed.
func (s *Model) recentAggregate(ctx context.Context, q survey.AggregateQuery) (*survey.Aggregate, error) {
	c := &s.recent
	c.mu.Lock()
	kept, ok := c.m[q]
	c.mu.Unlock()
	if ok && time.Since(kept.at) < benchmarkFreshness {
		return kept.agg, nil
	}
	agg, err := s.Aggregate(ctx, q)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxRecentAggregates {
		c.m = map[survey.AggregateQuery]recentAggregate{}
	}
	c.m[q] = recentAggregate{agg: agg, at: time.Now()}
	c.mu.Unlock()
	return agg, nil
}
