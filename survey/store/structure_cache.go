package store

import (
	"capsat/survey"
	"sync"
	"time"
)

// structureCacheTTL is how long the public survey page may show a
// structure as it was: its name changes rarely, and a minute's delay on a
// client's page is harmless, while every page view saves a read.
const structureCacheTTL = time.Minute

// structureCache keeps structures read for the public survey pages.
type structureCache struct {
	mu sync.Mutex
	m  map[string]cachedStructure
}

type cachedStructure struct {
	st      survey.Structure
	fetched time.Time
}

// get returns structure id, from the cache when read less than
// structureCacheTTL ago (real time: the cache is not a business date).
func (c *structureCache) get(id string, load func() (*survey.Structure, error)) (*survey.Structure, error) {
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if ok && time.Since(e.fetched) < structureCacheTTL {
		return &e.st, nil
	}
	st, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = map[string]cachedStructure{}
	}
	c.m[id] = cachedStructure{st: *st, fetched: time.Now()}
	c.mu.Unlock()
	return st, nil
}

// forget drops structure id, after a change made through this process.
func (c *structureCache) forget(id string) {
	c.mu.Lock()
	delete(c.m, id)
	c.mu.Unlock()
}
