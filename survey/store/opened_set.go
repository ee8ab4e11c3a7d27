package store

import "sync"

// openedSetMax bounds the orders remembered as recorded; past it the set
// starts again (a forgotten order costs one refused insert).
const openedSetMax = 50000

// openedSet is the orders whose opening this process recorded or found.
type openedSet struct {
	mu sync.Mutex
	m  map[string]struct{}
}

func (o *openedSet) has(oid string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	_, ok := o.m[oid]
	return ok
}

func (o *openedSet) add(oid string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.m == nil || len(o.m) >= openedSetMax {
		o.m = map[string]struct{}{}
	}
	o.m[oid] = struct{}{}
}

func (o *openedSet) forget(oid string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.m, oid)
}
