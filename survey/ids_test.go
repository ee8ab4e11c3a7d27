package survey_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"capsat/survey"
)

func TestNewID(t *testing.T) {
	t.Parallel()
	before := time.Now().Unix()
	ids := make([]string, 5000)
	for i := range ids {
		ids[i] = survey.NewID()
	}
	after := time.Now().Unix()
	seen := map[string]bool{}
	for i, id := range ids {
		if len(id) != 24 || !survey.ValidIDShape(id) {
			t.Fatalf("id %q is not 24 lowercase hex digits", id)
		}
		if seen[id] {
			t.Fatalf("id %q made twice", id)
		}
		seen[id] = true
		secs, err := strconv.ParseUint(id[:8], 16, 32)
		if err != nil || int64(secs) < before || int64(secs) > after {
			t.Fatalf("id %q starts with %d, want the creation second in [%d, %d]", id, secs, before, after)
		}
		if id[8:18] != ids[0][8:18] {
			t.Fatalf("id %q: process bytes differ from %q", id, ids[0])
		}
		if i > 0 && id <= ids[i-1] {
			t.Fatalf("id %q made after %q sorts before it", id, ids[i-1])
		}
	}
}

func TestNewIDUniqueAcrossGoroutines(t *testing.T) {
	t.Parallel()
	const workers, each = 8, 1000
	out := make([][]string, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for range each {
				out[w] = append(out[w], survey.NewID())
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, ids := range out {
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("id %q made twice", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != workers*each {
		t.Fatalf("%d ids, want %d", len(seen), workers*each)
	}
}

func TestNewToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 1000 {
		tok := survey.NewToken()
		if len(tok) != survey.TokenLen || survey.TokenLen != 24 || !survey.ValidTokenShape(tok) {
			t.Fatalf("token %q: length %d or shape refused", tok, len(tok))
		}
		if seen[tok] {
			t.Fatalf("token %q made twice", tok)
		}
		seen[tok] = true
	}
}

func TestValidTokenShape(t *testing.T) {
	t.Parallel()
	ok := "AZaz09-_AZaz09-_AZaz09-_"
	cases := map[string]bool{
		ok:                         true,
		strings.Repeat("a", 24):    true,
		strings.Repeat("a", 23):    false,
		strings.Repeat("a", 25):    false,
		"":                         false,
		ok[:23] + "=":              false, // padded base64
		ok[:23] + "+":              false, // standard, not URL-safe, base64
		ok[:23] + "/":              false,
		ok[:23] + ".":              false,
		ok[:23] + " ":              false,
		ok[:22] + "é":              false, // 24 bytes, not 24 characters of the alphabet
		ok[:12] + "%2F" + ok[:9]:   false,
		"../../../../etc/passwd00": false,
	}
	for tok, want := range cases {
		if got := survey.ValidTokenShape(tok); got != want {
			t.Errorf("ValidTokenShape(%q) = %v, want %v", tok, got, want)
		}
	}
}

func TestValidIDShape(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		"0123456789abcdef01234567":  true,
		"65f1c0ffee0000000000beef":  true,
		"0123456789ABCDEF01234567":  false, // ids are written in lowercase
		"0123456789abcdef0123456g":  false,
		"0123456789abcdef0123456":   false,
		"0123456789abcdef012345678": false,
		"":                          false,
		"0123456789abcdef0123456 ":  false,
		`{"$gt":""}`:                false,
	}
	for id, want := range cases {
		if got := survey.ValidIDShape(id); got != want {
			t.Errorf("ValidIDShape(%q) = %v, want %v", id, got, want)
		}
	}
}
