package store

import (
	"sync"
	"time"
)

// responseBatchMax bounds the responses written by one insert.
const responseBatchMax = 64

// responseBatchTimeout bounds one insert of a batch (queueing behind the
// write gate included).
const responseBatchTimeout = 30 * time.Second

// responseBatcher writes concurrent answers together (group commit): the
// answers that arrive while one batch is under way go in the next one.
// An answer is two inserts, its claim (an "answered" change of its order,
// see order_change.go) then its response, so a batch is two unordered
// InsertMany: the claims, then the responses of the claims stored. Each
// answer keeps its own outcome (a claim taken first, or a duplicate
// response, refuses that answer only), and nothing waits on a timer:
// alone, an answer is written at once. On the embedded store one insert of
// ten documents costs about what one insert of one costs (one SQLite
// transaction, one sync), so answers under load go several times faster
// (BENCHMARKS.md).
//
// There is no background goroutine: the first caller to find no insert
// under way leads, writes the queue's head, hands the lead to the next
// waiting caller if any, and returns.
type responseBatcher struct {
	mu      sync.Mutex
	queue   []*queuedResponse
	leading bool
}

type queuedResponse struct {
	claim *orderChange // its Response is the response
	done  chan batchTurn
}

// batchTurn is what a waiting caller receives: its outcome, or the lead.
type batchTurn struct {
	err  error
	lead bool
}
