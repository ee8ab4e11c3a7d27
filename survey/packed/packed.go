// Package packed compresses the blobs the embedded store keeps as single
// values (ledgers, order catalogues): it converts a binary value to base64
// text and back, so every byte saved is saved twice, and the documents
// packed repeat their field names and values.
package packed

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
)

// Compress deflates b at the fastest level: blobs are rewritten on every
// change they hold, so speed matters more than the last percent.
func Compress(b []byte) ([]byte, error) {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(b); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Decompress inflates what Compress made; empty stays empty.
func Decompress(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	out, err := io.ReadAll(flate.NewReader(bytes.NewReader(b)))
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	return out, nil
}
