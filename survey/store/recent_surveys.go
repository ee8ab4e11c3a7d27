package store

import (
	"capsat/survey"
	"sync"
)

// recentSurveysSize bounds the recent survey contexts; past it the memo
// starts over.
const recentSurveysSize = 4096

// recentSurveys remembers the open survey contexts this process resolved
// lately (the forms it drew), so that a form posted while the store is
// unavailable can be drawn again with the client's answers. It is never
// read while the store answers: a link's state always comes from the store.
type recentSurveys struct {
	mu sync.Mutex
	m  map[string]survey.SurveyContext
}

func (r *recentSurveys) put(sc *survey.SurveyContext) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil || len(r.m) >= recentSurveysSize {
		r.m = map[string]survey.SurveyContext{}
	}
	r.m[sc.Link.Token] = *sc
}

func (r *recentSurveys) get(token string) (*survey.SurveyContext, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sc, ok := r.m[token]
	return &sc, ok
}

func (r *recentSurveys) forget(token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.m, token)
}
