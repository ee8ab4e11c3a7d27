package store

import (
	"capsat/survey"
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

// get returns the cached version id, if any.
func (c *frozenCache) get(id string) (*survey.Questionnaire, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	q, ok := c.m[id]
	return q, ok
}

// put keeps q, emptying the cache when it is full (versions are small and
// few; a full cache is rare enough not to need an eviction order).
func (c *frozenCache) put(q *survey.Questionnaire) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= frozenCacheSize {
		c.m = map[string]*survey.Questionnaire{}
	}
	c.m[q.ID] = q
}
