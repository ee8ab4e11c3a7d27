package readmodel

import (
	"capsat/survey"
	"capsat/survey/store"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
	_ "time/tzdata" // months are French months wherever capsat runs

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// RefreshSummary recomputes the summary of structure sid for month
// ("YYYY-MM", see SummaryMonth) from its orders and responses, and stores
// it unless a newer snapshot is already stored. It is the hook to call after
// any change to an order's survey or response (issue, cancel, submit,
// delete); calling it again is harmless.
//
// Why this is safe without transactions: the snapshot sequence is taken
// before the sources are read, so any change committed before the hook runs
// is seen by a snapshot ranking above every snapshot that missed it, and
// the store keeps the highest-ranking snapshot.
//
// The same pass rewrites the month's ledger and sets the answered_at copy
// of orders whose answer arrived since.
func (s *Model) RefreshSummary(ctx context.Context, sid, month string) error {
	return s.refreshSummary(ctx, sid, month, nil)
}

// refreshSummary is RefreshSummary with a pace for the answered copies
// (see writeAnsweredCopies; nil writes them straight away).
func (s *Model) refreshSummary(ctx context.Context, sid, month string, pace func(took time.Duration)) error {
	defer s.rewrites.lock(survey.SummaryID(sid, month))()
	return s.refreshLocked(ctx, sid, month, pace)
}

// refreshLocked is refreshSummary, the month's rewrite lock held.
func (s *Model) refreshLocked(ctx context.Context, sid, month string, pace func(took time.Duration)) error {
	b, err := s.readMonth(ctx, sid, month)
	if err != nil {
		return fmt.Errorf("refresh summary %s: %w", survey.SummaryID(sid, month), store.Translate(err))
	}
	return s.storeBuilt(ctx, b, sid, month, pace)
}

// storeBuilt writes the summary and ledger b built for sid's month, then
// the answered_at copies it found missing (see writeAnsweredCopies).
func (s *Model) storeBuilt(ctx context.Context, b *summaryBuilder, sid, month string, pace func(took time.Duration)) error {
	sum := b.summary(sid, month, b.seq)
	parts, err := b.ledgerParts(sum.ID)
	if err != nil {
		return err
	}
	release, err := s.store.AcquireWrite(ctx)
	if err != nil {
		return err
	}
	_, err = s.putSummary(ctx, sum, parts)
	release()
	if err != nil {
		return fmt.Errorf("store summary %s: %w", sum.ID, store.Translate(err))
	}
	return s.writeAnsweredCopies(ctx, b.answeredCopies, pace)
}

// answeredCopy is an order whose answered_at copy is missing.
type answeredCopy struct {
	orderID string
	at      time.Time
}

// writeAnsweredCopies sets the orders' answered_at copies, each write
// through the write gate; pace, when set, is called after each write with
// the time it took (the worker rests then).
func (s *Model) writeAnsweredCopies(ctx context.Context, copies []answeredCopy, pace func(took time.Duration)) error {
	for _, c := range copies {
		began := time.Now()
		release, err := s.store.AcquireWrite(ctx)
		if err != nil {
			return err
		}
		err = s.store.MarkAnswered(ctx, c.orderID, c.at)
		release()
		if err != nil {
			return fmt.Errorf("copy answer date to order %s: %w", c.orderID, store.Translate(err))
		}
		if pace != nil {
			pace(time.Since(began))
		}
	}
	return nil
}

// Summary returns one stored summary by structure and month.
func (s *Model) Summary(ctx context.Context, sid, month string) (*survey.Summary, error) {
	var rec summaryRecord
	if err := s.findByID(ctx, colSummaries, survey.SummaryID(sid, month), &rec); err != nil {
		return nil, err
	}
	return rec.summary()
}

// ComputeSummary recomputes a summary from the sources without storing it
// (Version is zero): what RefreshSummary would store.
func (s *Model) ComputeSummary(ctx context.Context, sid, month string) (*survey.Summary, error) {
	b, err := s.readMonth(ctx, sid, month)
	if err != nil {
		return nil, err
	}
	return b.summary(sid, month, 0), nil
}

// readMonth reads a structure-month's orders and responses into a builder
// whose snapshot sequence was taken before the reads.
func (s *Model) readMonth(ctx context.Context, sid, month string) (*summaryBuilder, error) {
	start, end, err := survey.MonthBounds(month)
	if err != nil {
		return nil, err
	}
	b := newSummaryBuilder(s)
	if err := b.readSources(ctx, store.SourceQuery{Structures: []string{sid}, From: start, To: end}); err != nil {
		return nil, err
	}
	return b, nil
}

// putSummary stores sum unless the stored one has an equal or higher
// version. Inside the process a lock per _id makes read-compare-write
// atomic (the embedded store is single-process and loses concurrent
// updates); on MongoDB the version in the filter also makes it atomic
// across processes. It reports whether sum was written.
//
// The ledger parts go first, under the same version: a reader that finds
// parts of another version than the summary's refreshes the month.
func (s *Model) putSummary(ctx context.Context, sum *survey.Summary, parts []ledgerPart) (bool, error) {
	unlock := s.summaries.lock(sum.ID)
	defer unlock()
	col := s.db.Collection(colSummaries)
	rec := summaryRecordOf(sum)
	rec.LedgerFormat, rec.LedgerParts = ledgerFormat, len(parts)
	for attempt := 0; attempt < 5; attempt++ {
		var cur ledgerHead
		err := store.Translate(col.FindOne(ctx, bson.M{"_id": sum.ID}, options.FindOne().SetProjection(ledgerHeadFields)).Decode(&cur))
		switch {
		case errors.Is(err, survey.ErrNotFound):
			if err := s.writeLedgerParts(ctx, parts, sum.ID, 0); err != nil {
				return false, err
			}
			_, err := col.InsertOne(ctx, rec)
			if err == nil {
				return true, nil
			}
			if !mongo.IsDuplicateKeyError(err) {
				return false, store.Translate(err)
			}
			continue // another process inserted it meanwhile: compare again
		case err != nil:
			return false, err
		case cur.Version >= sum.Version:
			return false, nil
		}
		if err := s.writeLedgerParts(ctx, parts, sum.ID, cur.Parts); err != nil {
			return false, err
		}
		filter := bson.M{"_id": sum.ID}
		if !s.embedded {
			// A filter with more than _id makes the embedded store scan the
			// whole collection; there the lock above is what serialises.
			filter["version"] = cur.Version
		}
		res, err := col.ReplaceOne(ctx, filter, rec)
		if err != nil {
			return false, store.Translate(err)
		}
		if res.MatchedCount == 1 {
			return true, nil
		}
	}
	return false, fmt.Errorf("%w: summary %s kept changing", survey.ErrConflict, sum.ID)
}

// summaryBuilder turns orders and responses into summaries. It reads only
// the fields it needs: never client details or free text.
type summaryBuilder struct {
	s              *Model
	seq            int64 // snapshot sequence, taken before the reads
	questionnaires map[string]*survey.Questionnaire
	cohorts        map[string]*cohort // by summary id
	// copyMissing holds the orders read whose answered_at copy is not set;
	// answeredCopies, those of them that have their response.
	copyMissing    map[string]bool
	answeredCopies []answeredCopy
}

// cohort is what a summary is built from: orders of one structure × month,
// their answers tallied as they stream by.
type cohort struct {
	sid, month string
	services   map[survey.ServiceType]*serviceCohort
	ledger     cohortLedger
}

type serviceCohort struct {
	issued    map[string]bool // order ids issued and not cancelled, or answered
	responses int
	questions map[string]*survey.QuestionTally
	versions  map[string]*survey.VersionTally
	// What the structure's own pages count beside the figures.
	comments, flagged, open int
	channels                [3]int // responses by position in survey.Channels
	// linkChannel is the first hand-out channel of the issued orders that
	// have one; answerChannel, the channel of the answered ones (which wins).
	linkChannel, answerChannel map[string]survey.Channel
	lastAnswer                 time.Time
}

func (c *cohort) service(st survey.ServiceType) *serviceCohort {
	sc := c.services[st]
	if sc == nil {
		sc = &serviceCohort{issued: map[string]bool{}, questions: map[string]*survey.QuestionTally{}, versions: map[string]*survey.VersionTally{},
			linkChannel: map[string]survey.Channel{}, answerChannel: map[string]survey.Channel{}}
		c.services[st] = sc
	}
	return sc
}

func newSummaryBuilder(s *Model) *summaryBuilder {
	return &summaryBuilder{
		s: s, seq: s.summaries.nextSeq(), questionnaires: map[string]*survey.Questionnaire{},
		cohorts: map[string]*cohort{}, copyMissing: map[string]bool{},
	}
}

func (b *summaryBuilder) cohort(sid string, issuedAt time.Time) *cohort {
	month := survey.SummaryMonth(issuedAt)
	id := survey.SummaryID(sid, month)
	c := b.cohorts[id]
	if c == nil {
		c = &cohort{sid: sid, month: month, services: map[survey.ServiceType]*serviceCohort{}}
		b.cohorts[id] = c
	}
	return c
}

func (b *summaryBuilder) addOrder(o *store.SourceOrder) {
	if o.Survey == nil {
		return
	}
	c := b.cohort(o.StructureID, o.Survey.IssuedAt)
	if b.s.embedded {
		c.ledger.addOrder(ledgerIssued{OrderID: o.ID, Service: o.ServiceType, IssuedAt: o.Survey.IssuedAt, Cancelled: o.Survey.CancelledAt != nil, Channel: o.Survey.Channel})
	}
	if o.Survey.AnsweredAt == nil {
		b.copyMissing[o.ID] = true
	}
	if o.Survey.CancelledAt != nil {
		return // a cancelled link was withdrawn: not a questionnaire sent
	}
	sc := c.service(o.ServiceType)
	sc.issued[o.ID] = true
	if o.Survey.Channel != "" {
		sc.linkChannel[o.ID] = o.Survey.Channel.Normal()
	}
}

// addResponse tallies one response's answers by question code (free text
// is never tallied) and keeps its document, raw, for the ledger.
func (b *summaryBuilder) addResponse(ctx context.Context, r summaryResponse, raw bson.Raw) error {
	q, err := b.questionnaire(ctx, r.QuestionnaireID)
	if err != nil {
		return err
	}
	if b.copyMissing[r.OrderID] {
		b.answeredCopies = append(b.answeredCopies, answeredCopy{orderID: r.OrderID, at: r.SubmittedAt})
	}
	c := b.cohort(r.StructureID, r.IssuedAt)
	commentCode, comment := commentOf(q, r.Answers)
	if b.s.embedded {
		c.ledger.addResponse(raw, r.OrderID, r.ServiceType, r.IssuedAt)
		c.ledger.notes.add(&r, commentCode, comment)
	}
	sc := c.service(r.ServiceType)
	sc.issued[r.OrderID] = true // an answered order was sent, whatever its link says now
	sc.responses++
	sc.countPageFacts(&r, comment)
	vk := fmt.Sprintf("%s/%d", q.FamilyID, q.Version)
	if sc.versions[vk] == nil {
		sc.versions[vk] = &survey.VersionTally{Family: q.FamilyID, Version: q.Version}
	}
	sc.versions[vk].Responses++
	for _, qu := range q.Questions {
		v, ok := r.Answers[qu.Code]
		if !ok || v == "" || !tallied(qu.Type) {
			continue
		}
		t := sc.questions[qu.Code]
		if t == nil {
			t = &survey.QuestionTally{Code: qu.Code, Type: qu.Type, Role: qu.Role, Counts: map[string]int{}}
			sc.questions[qu.Code] = t
		}
		t.Counts[v]++
	}
	return nil
}

// questionnaire returns a questionnaire version, cached: responses keep the
// version they answered, which tells each question's type and role.
func (b *summaryBuilder) questionnaire(ctx context.Context, id string) (*survey.Questionnaire, error) {
	if q, ok := b.questionnaires[id]; ok {
		return q, nil
	}
	q, err := b.s.store.FrozenQuestionnaire(ctx, id) // answered versions never change
	if err != nil {
		return nil, fmt.Errorf("questionnaire %s of a response: %w", id, store.Translate(err))
	}
	b.questionnaires[id] = q
	return q, nil
}

// ledgerParts packs the ledger of summary id (none when it has no cohort).
func (b *summaryBuilder) ledgerParts(id string) ([]ledgerPart, error) {
	c := b.cohorts[id]
	if c == nil || !b.s.embedded {
		return nil, nil // MongoDB reads indicator sources by index: no ledger
	}
	return c.ledger.parts(c.sid, c.month, b.seq)
}

// emptySummary is the summary of a structure-month without surveys.
func emptySummary(sid, month string, seq int64) *survey.Summary {
	return &survey.Summary{ID: survey.SummaryID(sid, month), StructureID: sid, Month: month, Version: seq, Services: []survey.ServiceSummary{}}
}

// summary builds the document of one cohort (empty when there is none).
func (b *summaryBuilder) summary(sid, month string, seq int64) *survey.Summary {
	sum := emptySummary(sid, month, seq)
	c := b.cohorts[sum.ID]
	if c == nil {
		return sum
	}
	for _, st := range survey.ServiceTypes {
		if ss, ok := b.serviceSummary(c, st); ok {
			sum.Services = append(sum.Services, ss)
		}
	}
	return sum
}

func (b *summaryBuilder) serviceSummary(c *cohort, st survey.ServiceType) (survey.ServiceSummary, bool) {
	sc := c.services[st]
	if sc == nil || len(sc.issued) == 0 {
		return survey.ServiceSummary{}, false
	}
	ss := survey.ServiceSummary{Service: st, Issued: len(sc.issued), Responses: sc.responses, Questions: []survey.QuestionTally{}, Versions: []survey.VersionTally{},
		Comments: sc.comments, Flagged: sc.flagged, OpenFollowUps: sc.open, LastAnswer: sc.lastAnswer}
	var handedOut [3]int
	for oid := range sc.issued {
		ch, ok := sc.answerChannel[oid]
		if !ok {
			ch, ok = sc.linkChannel[oid]
		}
		if ok {
			handedOut[slices.Index(survey.Channels, ch)]++
		}
	}
	for i, ch := range survey.Channels {
		if handedOut[i]+sc.channels[i] > 0 {
			ss.Channels = append(ss.Channels, survey.ChannelTally{Channel: ch, Responses: sc.channels[i], HandedOut: handedOut[i]})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(sc.questions)) {
		ss.Questions = append(ss.Questions, *sc.questions[k])
	}
	for _, k := range slices.Sorted(maps.Keys(sc.versions)) {
		ss.Versions = append(ss.Versions, *sc.versions[k])
	}
	return ss, true
}

// tallied tells which question types are counted; free text never is.
func tallied(t survey.QuestionType) bool {
	return t == survey.QuestionScale || t == survey.QuestionYesNo || t == survey.QuestionNPS || t == survey.QuestionChoice
}

// readSources streams the orders and responses q selects into cohorts.
func (b *summaryBuilder) readSources(ctx context.Context, q store.SourceQuery) error {
	return b.s.store.EachSource(ctx, q, b.addOrder, func(raw bson.Raw) error {
		var r summaryResponse
		if err := bson.Unmarshal(raw, &r); err != nil {
			return fmt.Errorf("read responses: %w", store.Translate(err))
		}
		return b.addResponse(ctx, r, raw)
	})
}

// countPageFacts counts what the structure's dashboard and follow-up list
// show beside the figures: comments, dissatisfied answers and their
// follow-ups, channels, and the latest answer (which tells readers of the
// month's notes how far back to go).
func (sc *serviceCohort) countPageFacts(r *summaryResponse, comment string) {
	if comment != "" {
		sc.comments++
	}
	if r.Flagged {
		sc.flagged++
		if r.FollowUp == nil || r.FollowUp.ClosedAt == nil {
			sc.open++
		}
	}
	sc.channels[slices.Index(survey.Channels, r.Channel.Normal())]++
	sc.answerChannel[r.OrderID] = r.Channel.Normal()
	if r.SubmittedAt.After(sc.lastAnswer) {
		sc.lastAnswer = r.SubmittedAt
	}
}

// commentOf is a response's answer to its version's comment question, and
// that question's code.
func commentOf(q *survey.Questionnaire, answers map[string]string) (code, text string) {
	for _, qu := range q.Questions {
		if qu.Role == survey.RoleComment {
			return qu.Code, answers[qu.Code]
		}
	}
	return "", ""
}
