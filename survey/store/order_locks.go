package store

import (
	"hash/fnv"
	"sync"
)

// orderLocks serialise, inside the process, the writes of an order's
// copies (its document and its links' documents) on the embedded store,
// which loses concurrent updates of one document (FerretDB issue 3040) and
// is one process's. They decide nothing (the order's changes do, see
// order_change.go): they keep a copy from being overwritten by an older
// one. Its zero value is ready to use.
type orderLocks struct {
	stripes [64]sync.Mutex
}

// lock locks order oid's stripe and returns its unlock.
func (l *orderLocks) lock(oid string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(oid))
	m := &l.stripes[h.Sum32()%uint32(len(l.stripes))]
	m.Lock()
	return m.Unlock
}
