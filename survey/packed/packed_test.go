package packed

import (
	"bytes"
	"strings"
	"testing"
)

func TestCompressRoundTrips(t *testing.T) {
	for _, in := range [][]byte{nil, []byte("x"), []byte(strings.Repeat("order\tBC-1\tmise_a_disposition\n", 1000))} {
		c, err := Compress(in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := Decompress(c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes gave %d", len(in), len(out))
		}
	}
	if _, err := Decompress([]byte("not deflate")); err == nil {
		t.Fatal("garbage decompressed without error")
	}
}
