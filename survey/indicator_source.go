package survey

import "time"

// IndicatorSource is the raw material of a structure's indicators: its
// issued surveys, its responses and its questionnaire versions.
// Fill Responses with AddResponse.
type IndicatorSource struct {
	Surveys        []IssuedSurvey
	Responses      []ResponseRow
	Questionnaires []Questionnaire
	// FollowUps are the flagged (dissatisfied) responses, newest answer
	// first, with their follow-up but without their answers (the rows in
	// Responses have them).
	FollowUps []Response
	// Tallies stand for the responses and surveys of whole months, counted
	// already (see MonthTally); Verbatims are the comments read beside them
	// (the latest ones only: a dashboard shows a few).
	Tallies   []MonthTally
	Verbatims []Verbatim
	// Codes are the question codes of the answer columns of the rows.
	Codes   []string
	columns map[string]int    // code → column
	shared  map[string]uint32 // short values → index in texts
	texts   []string          // answer values; texts[0] is "" (unanswered)
}

// ResponseRow is a response as indicators and exports hold it in memory:
// answers in the columns of its IndicatorSource, as numbers into the
// source's table of values, short values stored once. A structure's
// 100,000 responses take about a fifth of the memory of as many Response
// values with their maps.
type ResponseRow struct {
	OrderID              string
	OrderReference       string
	QuestionnaireID      string
	ServiceType          ServiceType
	QuestionnaireVersion int
	IssuedAt             time.Time
	SubmittedAt          time.Time
	Channel              Channel  // how the client came (empty: ChannelLink)
	values               []uint32 // by column of the source's Codes: index in its texts, 0 when unanswered
}

// InternMaxLen bounds the values shared between rows: scale levels, oui/non,
// scores and short choices; free text is kept once per answer.
const InternMaxLen = 40

// AddResponse appends a response to the source, compacted into a row.
func (s *IndicatorSource) AddResponse(r *Response) {
	s.init()
	row := ResponseRow{
		OrderID: r.OrderID, OrderReference: r.OrderReference, QuestionnaireID: s.intern(r.QuestionnaireID),
		ServiceType: ServiceType(s.intern(string(r.ServiceType))), QuestionnaireVersion: r.QuestionnaireVersion,
		IssuedAt: r.IssuedAt, SubmittedAt: r.SubmittedAt, Channel: r.Channel.Normal(),
	}
	for code, v := range r.Answers {
		if v != "" {
			s.setAnswer(&row, code, s.textIndex(v))
		}
	}
	s.Responses = append(s.Responses, row)
}

func (s *IndicatorSource) init() {
	if s.columns == nil {
		s.columns, s.shared, s.texts = map[string]int{}, map[string]uint32{}, []string{""}
	}
}

// textIndex returns the index of value v in the source's texts, adding it
// (once when short).
func (s *IndicatorSource) textIndex(v string) uint32 {
	if len(v) <= InternMaxLen {
		if i, ok := s.shared[v]; ok {
			return i
		}
	}
	i := uint32(len(s.texts))
	s.texts = append(s.texts, v)
	if len(v) <= InternMaxLen {
		s.shared[v] = i
	}
	return i
}

// intern returns v, shared with the equal values already held when short.
func (s *IndicatorSource) intern(v string) string {
	if len(v) > InternMaxLen {
		return v
	}
	return s.texts[s.textIndex(v)]
}

// setAnswer puts the answer of text index value to question code in its
// column of the row.
func (s *IndicatorSource) setAnswer(row *ResponseRow, code string, value uint32) {
	col, ok := s.columns[code]
	if !ok {
		col = len(s.Codes)
		s.Codes = append(s.Codes, code)
		s.columns[code] = col
	}
	s.setColumn(row, col, value)
}

// setAnswerKey is setAnswer with the code as bytes, allocating nothing for
// a code already seen.
func (s *IndicatorSource) setAnswerKey(row *ResponseRow, code []byte, value uint32) {
	if col, ok := s.columns[string(code)]; ok {
		s.setColumn(row, col, value)
		return
	}
	s.setAnswer(row, string(code), value)
}

func (s *IndicatorSource) setColumn(row *ResponseRow, col int, value uint32) {
	if col >= len(row.values) {
		grown := make([]uint32, len(s.Codes))
		copy(grown, row.values)
		row.values = grown
	}
	row.values[col] = value
}

// Answer returns a row's answer to the question code ("" when unanswered).
func (s *IndicatorSource) Answer(r *ResponseRow, code string) string {
	col, ok := s.columns[code]
	if !ok || col >= len(r.values) {
		return ""
	}
	return s.texts[r.values[col]]
}

// eachAnswer calls fn for every answer of the row.
func (s *IndicatorSource) eachAnswer(r *ResponseRow, fn func(code, value string)) {
	for col, v := range r.values {
		if v != 0 {
			fn(s.Codes[col], s.texts[v])
		}
	}
}

// TextIndexBytes is the index of the text b in the source's values, adding
// it when new; it allocates nothing for a short value already held (readers
// that decode stored documents themselves call it).
func (s *IndicatorSource) TextIndexBytes(b []byte) uint32 {
	s.init()
	if len(b) == 0 {
		return 0
	}
	if len(b) <= InternMaxLen {
		if i, ok := s.shared[string(b)]; ok {
			return i
		}
	}
	return s.textIndex(string(b))
}

// InternBytes is the text b, shared with the equal values already held.
func (s *IndicatorSource) InternBytes(b []byte) string {
	return s.texts[s.TextIndexBytes(b)]
}

// SetAnswerBytes records in row the answer of text index value to the
// question code, allocating nothing for a code already seen.
func (s *IndicatorSource) SetAnswerBytes(row *ResponseRow, code []byte, value uint32) {
	s.init()
	s.setAnswerKey(row, code, value)
}

// OpenFollowUps counts the source's follow-ups still open: those listed and
// those of the tallied months.
func (s *IndicatorSource) OpenFollowUps() int {
	n := 0
	for i := range s.FollowUps {
		if s.FollowUps[i].Open() {
			n++
		}
	}
	for i := range s.Tallies {
		n += s.Tallies[i].Service.OpenFollowUps
	}
	return n
}
