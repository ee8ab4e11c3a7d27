package accounts_test

import (
	"fmt"
	"testing"

	"capsat/survey/accounts"
)

// BenchmarkHashPassword measures the cost of one login's hash at t=1..3.
func BenchmarkHashPassword(b *testing.B) {
	for _, t := range []uint32{1, 2, 3} {
		p := accounts.DefaultPasswordParams()
		p.Time = t
		b.Run(fmt.Sprintf("m=%d,t=%d,p=%d", p.MemoryKiB, p.Time, p.Threads), func(b *testing.B) {
			for b.Loop() {
				_, _ = accounts.HashPassword("correct horse battery", p)
			}
		})
	}
}
