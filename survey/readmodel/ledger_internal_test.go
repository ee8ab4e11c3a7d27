package readmodel

import (
	"capsat/survey"
	"capsat/survey/packed"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// SummaryWorkerRunningForTest reports whether RunSummaryWorker has taken
// its place (changes are queued from then on), for tests that must not
// race its start.
func (s *Model) SummaryWorkerRunningForTest() bool {
	q := &s.summaryQueue
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.running
}

// DropMarkerForTest is dropMarker, for the queue tests of package survey_test.
func (s *Model) DropMarkerForTest(ctx context.Context, id string, gen int64) {
	s.dropMarker(ctx, id, gen)
}

// ledgerTestResponses builds n raw response documents whose comments are
// textBytes long, each one recognisable by its order id.
func ledgerTestResponses(t *testing.T, n, textBytes int) []bson.Raw {
	t.Helper()
	issued := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	out := make([]bson.Raw, n)
	for i := range out {
		r := survey.Response{
			OrderID: fmt.Sprintf("order-%06d", i), StructureID: "st", OrderReference: fmt.Sprintf("BC-%d", i),
			ServiceType: survey.ServiceTypes[i%2], QuestionnaireID: "q", QuestionnaireFamily: "f", QuestionnaireVersion: 1,
			IssuedAt: issued, SubmittedAt: issued.Add(time.Duration(i) * time.Minute),
			Answers: map[string]string{"satisfaction_globale": "satisfait", "commentaire": strings.Repeat(string(rune('a'+i%26)), textBytes)},
		}
		b, err := bson.Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

func ledgerTestIssued(n int) []ledgerIssued {
	issued := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	out := make([]ledgerIssued, n)
	for i := range out {
		out[i] = ledgerIssued{OrderID: fmt.Sprintf("order-%06d", i), Service: survey.ServiceTypes[i%2], IssuedAt: issued.Add(time.Duration(i) * time.Second), Cancelled: i%5 == 0}
	}
	return out
}

// unpackedPart is a stored part's fields as readers decode them.
func unpackedPart(t *testing.T, p *ledgerPart) (issued, responses []byte) {
	t.Helper()
	var err error
	if issued, err = packed.Decompress(p.Issued); err != nil {
		t.Fatalf("part %s issued: %v", p.ID, err)
	}
	if responses, err = packed.Decompress(p.Responses); err != nil {
		t.Fatalf("part %s responses: %v", p.ID, err)
	}
	return issued, responses
}

// A ledger too large for one part is split into parts of about
// ledgerPartBytes (before compression), each named and versioned, and
// reading every part's surveys and documents in turn gives back exactly
// what was packed, in order.
func TestLedgerPartsSplitAndDecodeInOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                   string
		issued, responses, txt int
		minParts               int
	}{
		{"empty", 0, 0, 0, 0},
		{"small: one part", 40, 30, 500, 1},
		{"large responses", 50, 110, 100_000, 3}, // about 11 MB of responses
		{"many issued surveys", 300_000, 20, 200_000, 3},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			issued := ledgerTestIssued(c.issued)
			responses := ledgerTestResponses(t, c.responses, c.txt)
			const version = 42
			parts, err := ledgerParts("st", "2026-03", version, issued, responses)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) < c.minParts || (c.minParts <= 1 && len(parts) != c.minParts) {
				t.Fatalf("%d parts, want %d or more (exactly when at most 1)", len(parts), c.minParts)
			}
			maxDoc := 0
			for _, r := range responses {
				maxDoc = max(maxDoc, len(r))
			}
			var gotIssued []ledgerIssued
			var gotResponses [][]byte
			for i := range parts {
				p := &parts[i]
				if p.ID != fmt.Sprintf("st:2026-03:%d", i) || p.Part != i || p.Version != version || p.StructureID != "st" || p.Month != "2026-03" {
					t.Fatalf("part %d: id %q part %d version %d structure %q month %q", i, p.ID, p.Part, p.Version, p.StructureID, p.Month)
				}
				iss, resp := unpackedPart(t, p)
				size := len(iss) + len(resp)
				if size == 0 {
					t.Fatalf("part %d is empty", i)
				}
				if size > ledgerPartBytes+maxDoc+200 {
					t.Fatalf("part %d holds %d bytes, over the bound %d (+ one document)", i, size, ledgerPartBytes)
				}
				if i < len(parts)-1 && size < ledgerPartBytes {
					t.Fatalf("part %d holds %d bytes and another part follows: split too early", i, size)
				}
				if err := eachIssued(iss, func(li ledgerIssued) { gotIssued = append(gotIssued, li) }); err != nil {
					t.Fatalf("part %d issued: %v", i, err)
				}
				if err := eachDocument(resp, func(doc []byte) error {
					gotResponses = append(gotResponses, doc)
					return nil
				}); err != nil {
					t.Fatalf("part %d responses: %v", i, err)
				}
			}
			if len(gotIssued) != len(issued) {
				t.Fatalf("%d issued surveys read back, %d packed", len(gotIssued), len(issued))
			}
			for i := range issued {
				if g, w := gotIssued[i], issued[i]; g.OrderID != w.OrderID || g.Service != w.Service || !g.IssuedAt.Equal(w.IssuedAt) || g.Cancelled != w.Cancelled {
					t.Fatalf("issued %d: %+v, want %+v", i, g, w)
				}
			}
			if len(gotResponses) != len(responses) {
				t.Fatalf("%d responses read back, %d packed", len(gotResponses), len(responses))
			}
			for i := range responses {
				if string(gotResponses[i]) != string(responses[i]) {
					t.Fatalf("response %d differs from the one packed", i)
				}
				var r survey.Response
				if err := bson.Unmarshal(gotResponses[i], &r); err != nil {
					t.Fatalf("response %d: %v", i, err)
				}
				if want := fmt.Sprintf("order-%06d", i); r.OrderID != want || len(r.Answers["commentaire"]) != c.txt {
					t.Fatalf("response %d: order %q (want %q), comment of %d bytes", i, r.OrderID, want, len(r.Answers["commentaire"]))
				}
			}
		})
	}
}

func TestEachDocumentRefusesDamagedBuffers(t *testing.T) {
	t.Parallel()
	docs := ledgerTestResponses(t, 3, 50)
	var packed []byte
	for _, d := range docs {
		packed = append(packed, d...)
	}
	lengthOver := append([]byte(nil), packed...)
	third := lengthOver[len(docs[0])+len(docs[1]):]
	binary.LittleEndian.PutUint32(third, uint32(len(third)+1)) // the third document claims one byte more than is left
	cases := []struct {
		name   string
		buf    []byte
		wantOK int // documents handed over before the error
	}{
		{"truncated last document", packed[:len(packed)-1], 2},
		{"a few bytes of a header", packed[:len(docs[0])+3], 1},
		{"length beyond the buffer", lengthOver, 2},
		{"length below the minimum", append(append([]byte(nil), docs[0]...), 4, 0, 0, 0, 0), 1},
		{"zero length", []byte{0, 0, 0, 0, 0}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := 0
			err := eachDocument(c.buf, func([]byte) error { n++; return nil })
			if err == nil {
				t.Fatalf("damaged buffer accepted (%d documents)", n)
			}
			if n != c.wantOK {
				t.Fatalf("%d documents before the error, want %d", n, c.wantOK)
			}
		})
	}
	t.Run("whole buffer", func(t *testing.T) {
		n := 0
		if err := eachDocument(packed, func([]byte) error { n++; return nil }); err != nil || n != 3 {
			t.Fatalf("%d documents, %v", n, err)
		}
	})
	t.Run("error of the callback", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		if err := eachDocument(packed, func([]byte) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("%d documents, %v", n, err)
		}
	})
}
