package notices

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// addressKey is a short stable key of an address (case and spaces aside),
// for deterministic message ids that do not spell the address out.
func addressKey(addr string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(addr))))
	return hex.EncodeToString(sum[:8])
}
