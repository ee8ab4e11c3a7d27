package store

import (
	"slices"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// declaredIndexes records the keys of every index the store declares, so
// that a test can check each query against them (DeclaredIndexes).
type declaredIndexes struct {
	mu sync.Mutex
	m  map[string][][]string
}

func (d *declaredIndexes) add(collection string, keys any) {
	var fields []string
	if doc, ok := keys.(bson.D); ok {
		for _, e := range doc {
			fields = append(fields, e.Key)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string][][]string{}
	}
	for _, have := range d.m[collection] {
		if slices.Equal(have, fields) {
			return
		}
	}
	d.m[collection] = append(d.m[collection], fields)
}

// snapshot returns a copy of the recorded keys by collection.
func (d *declaredIndexes) snapshot() map[string][][]string {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string][][]string, len(d.m))
	for c, list := range d.m {
		for _, f := range list {
			out[c] = append(out[c], slices.Clone(f))
		}
	}
	return out
}
