package mailer_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"capsat/survey"
	"capsat/survey/mailer"
	"capsat/survey/mailer/mailertest"
	"capsat/survey/surveytest"

	gomail "github.com/wneessen/go-mail"
)

// benchMessages is how many messages each benchmark sends (BENCH_MAILS
// overrides the 10,000 of BENCHMARKS.md).
func benchMessages() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_MAILS")); err == nil && n > 0 {
		return n
	}
	return 10000
}

const benchKind survey.MessageKind = "bench"

// benchMail is the same mail for every message: the benchmark measures the
// outbox and the transport, not the templates.
var benchMail = mailer.Mail{FromName: "AI du Bocage", To: "client@example.org", ReplyTo: "contact@bocage.example.org",
	Subject: "Votre avis sur notre mission — AI du Bocage", Text: "Bonjour,\n\nVotre avis : https://capsat.example.org/s/xxxxxxxxxxxxxxxxxxxxxx\n",
	HTML: "<p>Bonjour,</p><p><a href=\"https://capsat.example.org/s/xxxxxxxxxxxxxxxxxxxxxx\">Répondre</a></p>", Unsubscribe: "https://capsat.example.org/desinscription/x"}

// BenchmarkOutboxSend sends N due messages through the outbox (enqueue,
// then claim, send, record for each) to an in-process SMTP server, and
// reports messages per second for the enqueue and the sending.
// go test ./survey/mailer -run '^$' -bench BenchmarkOutboxSend -benchtime 1x
func BenchmarkOutboxSend(b *testing.B) {
	n := benchMessages()
	for b.Loop() {
		ctx := context.Background()
		s := surveytest.Store(b, nil)
		sink := mailertest.Start(b)
		sink.CountOnly()
		tr, err := mailer.NewSMTP(mailer.Server{Host: "127.0.0.1", Port: sink.Port(), Security: mailer.Plain})
		if err != nil {
			b.Fatal(err)
		}
		m, err := mailer.New(mailer.Options{Store: s, Transport: tr, From: "ne-pas-repondre@capsat.example.org", BaseURL: "https://capsat.example.org", Batch: 500})
		if err != nil {
			b.Fatal(err)
		}
		m.Register(benchKind, func(context.Context, *survey.OutboxMessage) (*mailer.Mail, string, error) {
			mail := benchMail
			return &mail, "", nil
		})
		start := time.Now()
		for i := range n {
			if err := s.Enqueue(ctx, &survey.OutboxMessage{StructureID: "bench-structure", Kind: benchKind, To: "client" + strconv.Itoa(i) + "@example.org"}); err != nil {
				b.Fatal(err)
			}
		}
		enqueued := time.Since(start)
		start = time.Now()
		r, err := m.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		sent := time.Since(start)
		if r.Sent != n || sink.Count() != n {
			b.Fatalf("sent %d, received %d, want %d (%+v)", r.Sent, sink.Count(), n, r)
		}
		b.ReportMetric(float64(n)/enqueued.Seconds(), "enqueued/s")
		b.ReportMetric(float64(n)/sent.Seconds(), "sent/s")
		b.ReportMetric(float64(sent.Microseconds())/float64(n), "µs/sent")
		b.ReportMetric(float64(enqueued.Microseconds())/float64(n), "µs/enqueued")
	}
}

// BenchmarkRawGoMailSend sends N messages with go-mail alone, one
// connection, the same mail: what the outbox is compared with.
// go test ./survey/mailer -run '^$' -bench BenchmarkRawGoMailSend -benchtime 1x
func BenchmarkRawGoMailSend(b *testing.B) {
	n := benchMessages()
	for b.Loop() {
		ctx := context.Background()
		sink := mailertest.Start(b)
		sink.CountOnly()
		tr, err := mailer.NewSMTP(mailer.Server{Host: "127.0.0.1", Port: sink.Port(), Security: mailer.Plain})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for i := range n {
			g := gomail.NewMsg()
			_ = g.FromFormat(benchMail.FromName, "ne-pas-repondre@capsat.example.org")
			_ = g.To("client" + strconv.Itoa(i) + "@example.org")
			_ = g.ReplyTo(benchMail.ReplyTo)
			g.Subject(benchMail.Subject)
			g.SetDate()
			g.SetMessageID()
			g.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+benchMail.Unsubscribe+">")
			g.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
			g.SetBodyString(gomail.TypeTextPlain, benchMail.Text)
			g.AddAlternativeString(gomail.TypeTextHTML, benchMail.HTML)
			if err := tr.Send(ctx, g); err != nil {
				b.Fatal(err)
			}
		}
		_ = tr.Close()
		sent := time.Since(start)
		if sink.Count() != n {
			b.Fatalf("received %d, want %d", sink.Count(), n)
		}
		b.ReportMetric(float64(n)/sent.Seconds(), "sent/s")
		b.ReportMetric(float64(sent.Microseconds())/float64(n), "µs/sent")
	}
}
