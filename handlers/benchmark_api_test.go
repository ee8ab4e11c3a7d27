package handlers

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"capsat/survey"
)

func TestBenchmarkPlacesAStructureWithoutNamingOthers(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	var peers []*survey.Structure
	for i := range 5 {
		st, _ := e.structure(fmt.Sprintf("AI Voisine %d", i), "Normandie")
		level := []string{"satisfait", "peu_satisfait"}[i%2]
		e.seedAnswered(st, 5, survey.ServiceMAD, level)
		peers = append(peers, st)
	}
	me, myKey := e.structure("AI du Bocage", "Normandie")
	e.seedAnswered(me, 6, survey.ServiceMAD, "tres_satisfait")
	tiny, tinyKey := e.structure("AI Minuscule", "Corse")
	e.seedAnswered(tiny, 2, survey.ServiceMAD, "satisfait")

	rec := e.do(http.MethodGet, "/api/v1/structures/"+me.ID+"/benchmark"+march, "", myKey)
	if rec.Code != http.StatusOK {
		t.Fatalf("benchmark: %d %s", rec.Code, rec.Body)
	}
	text := rec.Body.String()
	assertNoClientData(t, "benchmark", text)
	for _, p := range peers {
		if strings.Contains(text, p.Name) || strings.Contains(text, p.ID) {
			t.Fatalf("benchmark names another structure: %s", text)
		}
	}
	b := decode[benchmarkJSON](t, rec)
	var overall benchmarkLineJSON
	for _, l := range b.Indicators {
		if l.Code == survey.FigureOverall {
			overall = l
		}
	}
	if overall.Structure.Value == nil || *overall.Structure.Value != 1 || *overall.Structure.N != 6 {
		t.Fatalf("own figure: %+v", overall.Structure)
	}
	// Region: 6 + 15 satisfied of 31.
	if *overall.Region.Numerator != 21 || *overall.Region.Denominator != 31 {
		t.Fatalf("region figure: %+v", overall.Region)
	}
	d := overall.RegionDist
	if d.Withheld || d.Structures != 6 || d.Quartile != 4 || *d.Median != 1 || *d.Q1 != 0.25 {
		t.Fatalf("region distribution: %+v", d)
	}

	// A structure on 2 responses sees its own figures, but its region's rest
	// on 2 responses and there are too few structures for quartiles.
	rec = e.do(http.MethodGet, "/api/v1/structures/"+tiny.ID+"/benchmark"+march, "", tinyKey)
	tb := decode[benchmarkJSON](t, rec)
	for _, l := range tb.Indicators {
		if l.Code != survey.FigureOverall {
			continue
		}
		if l.Structure.Withheld || l.Structure.Value == nil {
			t.Errorf("own figure withheld from itself: %+v", l.Structure)
		}
		if !l.Region.Withheld || l.Region.Value != nil || !l.RegionDist.Withheld || l.RegionDist.Median != nil {
			t.Errorf("region figures on 2 responses shown: %+v %+v", l.Region, l.RegionDist)
		}
		if l.NetworkDist.Quartile != 0 {
			t.Errorf("a structure under 5 responses is placed: %+v", l.NetworkDist)
		}
	}
	if rec := e.do(http.MethodGet, "/api/v1/structures/"+me.ID+"/benchmark", "", tinyKey); rec.Code != http.StatusNotFound {
		t.Errorf("another structure's benchmark: %d", rec.Code)
	}
}
