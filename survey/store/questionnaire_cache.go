package store

import (
	"capsat/survey"
	"context"
	"sync"
)

// frozenCacheSize bounds the questionnaire cache; past it the cache starts
// over, which costs one lookup per version.
const frozenCacheSize = 4096

// frozenCache keeps published questionnaire versions in memory. A published
// version never changes (editing makes a new version), so every instance
// may keep its own copy without going stale; drafts are never cached.
type frozenCache struct {
	mu sync.RWMutex
	m  map[string]*survey.Questionnaire
}

// frozenQuestionnaire returns a questionnaire version that survey links
// point to, from the cache when published.
func (s *Store) FrozenQuestionnaire(ctx context.Context, id string) (*survey.Questionnaire, error) {
	c := s.frozen
	c.mu.RLock()
	q, ok := c.m[id]
	c.mu.RUnlock()
	if ok {
		return q, nil
	}
	q = &survey.Questionnaire{}
	if err := s.findByID(ctx, colQuestionnaires, id, q); err != nil {
		return nil, err
	}
	if q.Status == survey.StatusPublished || q.Status == survey.StatusArchived {
		c.mu.Lock()
		if len(c.m) >= frozenCacheSize {
			c.m = map[string]*survey.Questionnaire{}
		}
		c.m[id] = q
		c.mu.Unlock()
	}
	return q, nil
}
