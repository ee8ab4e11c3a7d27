package survey

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"sync/atomic"
	"time"
)

// NewToken returns a random URL-safe token of 144 bits (24 characters),
// not derivable from any id.
func NewToken() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenLen is the length of tokens made by NewToken.
const TokenLen = 24

// ValidTokenShape checks a token's shape before any store access.
func ValidTokenShape(t string) bool {
	if len(t) != TokenLen {
		return false
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ValidIDShape checks an object id's shape (24 hex digits) before any store access.
func ValidIDShape(id string) bool {
	if len(id) != 24 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// idCounter is the last three bytes of an id, as MongoDB's ObjectID has them.
var idCounter atomic.Uint32

// idProcess is the five random bytes in the middle of an id, drawn once.
var idProcess = func() [5]byte {
	var b [5]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("crypto/rand failed: %v", err))
	}
	return b
}()

// NewID returns a new id as 24 hex digits, laid out like a MongoDB ObjectID
// (seconds since 1970, five random bytes, a counter), so that ids sort by
// creation time as the stored ones always have.
func NewID() string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], uint32(time.Now().Unix()))
	copy(b[4:9], idProcess[:])
	c := idCounter.Add(1)
	b[9], b[10], b[11] = byte(c>>16), byte(c>>8), byte(c)
	return hex.EncodeToString(b[:])
}
