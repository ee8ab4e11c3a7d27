package survey

import "time"

// ResponseRow is a response as indicators and exports hold it in memory:
// answers in the columns of its IndicatorSource, short values shared. A
// structure's 100,000 responses take about a third of the memory of as
// many Response values with their maps.
type ResponseRow struct {
	OrderID              string
	OrderReference       string
	QuestionnaireID      string
	ServiceType          ServiceType
	QuestionnaireVersion int
	IssuedAt             time.Time
	SubmittedAt          time.Time
	values               []string // by column of the source's Codes; "" when unanswered
}

// internMaxLen bounds the values shared between rows: scale levels, oui/non,
// scores and short choices; free text is kept as it is.
const internMaxLen = 40

// AddResponse appends a response to the source, compacted into a row.
func (s *IndicatorSource) AddResponse(r *Response) {
	if s.columns == nil {
		s.columns, s.interned = map[string]int{}, map[string]string{}
	}
	row := ResponseRow{
		OrderID: r.OrderID, OrderReference: r.OrderReference, QuestionnaireID: s.intern(r.QuestionnaireID),
		ServiceType: ServiceType(s.intern(string(r.ServiceType))), QuestionnaireVersion: r.QuestionnaireVersion,
		IssuedAt: r.IssuedAt, SubmittedAt: r.SubmittedAt,
	}
	for code, v := range r.Answers {
		if v == "" {
			continue
		}
		col, ok := s.columns[code]
		if !ok {
			col = len(s.Codes)
			s.Codes = append(s.Codes, code)
			s.columns[code] = col
		}
		if col >= len(row.values) {
			grown := make([]string, len(s.Codes))
			copy(grown, row.values)
			row.values = grown
		}
		row.values[col] = s.intern(v)
	}
	s.Responses = append(s.Responses, row)
}

func (s *IndicatorSource) intern(v string) string {
	if len(v) > internMaxLen {
		return v
	}
	if shared, ok := s.interned[v]; ok {
		return shared
	}
	s.interned[v] = v
	return v
}

// Answer returns a row's answer to the question code ("" when unanswered).
func (s *IndicatorSource) Answer(r *ResponseRow, code string) string {
	col, ok := s.columns[code]
	if !ok || col >= len(r.values) {
		return ""
	}
	return r.values[col]
}

// eachAnswer calls fn for every answer of the row.
func (s *IndicatorSource) eachAnswer(r *ResponseRow, fn func(code, value string)) {
	for col, v := range r.values {
		if v != "" {
			fn(s.Codes[col], v)
		}
	}
}
