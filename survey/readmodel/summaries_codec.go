package readmodel

import (
	"capsat/survey"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// summaryRecord is how a Summary is stored: its tallies packed into one
// string. The embedded store decodes nested documents some twenty times
// slower than flat ones (measured: 2,000 summaries with nested tallies
// 18 s, flat 0.75 s), and aggregation reads every summary of a period.
type summaryRecord struct {
	ID          string `bson:"_id"`
	StructureID string `bson:"structure_id"`
	Month       string `bson:"month"`
	Version     int64  `bson:"version"`
	Tallies     string `bson:"tallies"`
	// LedgerFormat and LedgerParts tell which ledger goes with the summary
	// (see colLedgers): its layout and its number of parts.
	LedgerFormat int `bson:"ledger_format"`
	LedgerParts  int `bson:"ledger_parts"`
}

func summaryRecordOf(s *survey.Summary) summaryRecord {
	return summaryRecord{ID: s.ID, StructureID: s.StructureID, Month: s.Month, Version: s.Version, Tallies: encodeTallies(s.Services)}
}

func (r *summaryRecord) summary() (*survey.Summary, error) {
	services, err := decodeTallies(r.Tallies)
	if err != nil {
		return nil, fmt.Errorf("summary %s: %w", r.ID, err)
	}
	return &survey.Summary{ID: r.ID, StructureID: r.StructureID, Month: r.Month, Version: r.Version, Services: services}, nil
}

// Tallies are lines of space-separated, query-escaped fields:
//
//	S <service> <issued> <responses>
//	Q <code> <type> <role or -> <counts>
//	V <family> <version> <responses>
//	X <comments> <flagged> <open follow-ups> <last answer, Unix seconds>
//	C <channel> <responses> <handed out>
//
// Q, V, X and C lines belong to the S line above them. Counts of known scales
// are positional (scale levels in ScaleLevels order, oui,non, 0…10); other
// types are a query string value=count.
func encodeTallies(services []survey.ServiceSummary) string {
	var b strings.Builder
	for _, ss := range services {
		fmt.Fprintf(&b, "S %s %d %d\n", url.QueryEscape(string(ss.Service)), ss.Issued, ss.Responses)
		for _, q := range ss.Questions {
			role := string(q.Role)
			if role == "" {
				role = "-"
			}
			fmt.Fprintf(&b, "Q %s %s %s %s\n", url.QueryEscape(q.Code), url.QueryEscape(string(q.Type)), url.QueryEscape(role), encodeCounts(q.Type, q.Counts))
		}
		for _, v := range ss.Versions {
			fmt.Fprintf(&b, "V %s %d %d\n", url.QueryEscape(v.Family), v.Version, v.Responses)
		}
		if ss.Responses > 0 {
			fmt.Fprintf(&b, "X %d %d %d %d\n", ss.Comments, ss.Flagged, ss.OpenFollowUps, ss.LastAnswer.Unix())
		}
		for _, ch := range ss.Channels {
			fmt.Fprintf(&b, "C %s %d %d\n", url.QueryEscape(string(ch.Channel)), ch.Responses, ch.HandedOut)
		}
	}
	return b.String()
}

// positions returns the stored values a question type counts by position.
func positions(t survey.QuestionType) []string {
	switch t {
	case survey.QuestionScale:
		out := make([]string, len(survey.ScaleLevels))
		for i, l := range survey.ScaleLevels {
			out[i] = l.Value
		}
		return out
	case survey.QuestionYesNo:
		return []string{survey.YesAnswer, survey.NoAnswer}
	case survey.QuestionNPS:
		out := make([]string, 11)
		for i := range out {
			out[i] = strconv.Itoa(i)
		}
		return out
	}
	return nil
}

func encodeCounts(t survey.QuestionType, counts map[string]int) string {
	pos := positions(t)
	if pos == nil || !onlyKnown(pos, counts) {
		v := url.Values{}
		for k, n := range counts {
			v.Set(k, strconv.Itoa(n))
		}
		return "=" + url.QueryEscape(v.Encode())
	}
	parts := make([]string, len(pos))
	for i, p := range pos {
		parts[i] = strconv.Itoa(counts[p])
	}
	return strings.Join(parts, ",")
}

func onlyKnown(pos []string, counts map[string]int) bool {
	for k := range counts {
		found := false
		for _, p := range pos {
			found = found || p == k
		}
		if !found {
			return false
		}
	}
	return true
}

func decodeCounts(t survey.QuestionType, raw string) (map[string]int, error) {
	counts := map[string]int{}
	if rest, ok := strings.CutPrefix(raw, "="); ok {
		q, err := url.QueryUnescape(rest)
		if err != nil {
			return nil, err
		}
		v, err := url.ParseQuery(q)
		if err != nil {
			return nil, err
		}
		for k := range v {
			n, err := strconv.Atoi(v.Get(k))
			if err != nil {
				return nil, err
			}
			counts[k] = n
		}
		return counts, nil
	}
	pos := positions(t)
	parts := strings.Split(raw, ",")
	if len(parts) != len(pos) {
		return nil, fmt.Errorf("%d counts for a %s question", len(parts), t)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			counts[pos[i]] = n
		}
	}
	return counts, nil
}

func decodeTallies(text string) ([]survey.ServiceSummary, error) {
	services := []survey.ServiceSummary{}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if err := decodeLine(&services, f); err != nil {
			return nil, fmt.Errorf("tallies line %q: %w", line, err)
		}
	}
	return services, nil
}

func decodeLine(services *[]survey.ServiceSummary, f []string) error {
	unescaped := make([]string, len(f))
	for i, x := range f {
		u, err := url.QueryUnescape(x)
		if err != nil {
			return err
		}
		unescaped[i] = u
	}
	if len(f) == 4 && f[0] == "S" {
		issued, err1 := strconv.Atoi(f[2])
		responses, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad counts")
		}
		*services = append(*services, survey.ServiceSummary{Service: survey.ServiceType(unescaped[1]), Issued: issued, Responses: responses, Questions: []survey.QuestionTally{}, Versions: []survey.VersionTally{}})
		return nil
	}
	if len(*services) == 0 {
		return fmt.Errorf("line before any service")
	}
	ss := &(*services)[len(*services)-1]
	switch {
	case len(f) == 5 && f[0] == "Q":
		role := survey.QuestionRole(unescaped[3])
		if role == "-" {
			role = survey.RoleNone
		}
		counts, err := decodeCounts(survey.QuestionType(unescaped[2]), f[4])
		if err != nil {
			return err
		}
		ss.Questions = append(ss.Questions, survey.QuestionTally{Code: unescaped[1], Type: survey.QuestionType(unescaped[2]), Role: role, Counts: counts})
	case len(f) == 4 && f[0] == "V":
		version, err1 := strconv.Atoi(f[2])
		n, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad version")
		}
		ss.Versions = append(ss.Versions, survey.VersionTally{Family: unescaped[1], Version: version, Responses: n})
	case len(f) == 5 && f[0] == "X":
		var err [4]error
		var last int64
		ss.Comments, err[0] = strconv.Atoi(f[1])
		ss.Flagged, err[1] = strconv.Atoi(f[2])
		ss.OpenFollowUps, err[2] = strconv.Atoi(f[3])
		last, err[3] = strconv.ParseInt(f[4], 10, 64)
		if e := errors.Join(err[:]...); e != nil {
			return fmt.Errorf("bad counts: %w", e)
		}
		ss.LastAnswer = time.Unix(last, 0).UTC()
	case len(f) == 4 && f[0] == "C":
		n, err1 := strconv.Atoi(f[2])
		h, err2 := strconv.Atoi(f[3])
		if err1 != nil || err2 != nil {
			return fmt.Errorf("bad channel counts")
		}
		ss.Channels = append(ss.Channels, survey.ChannelTally{Channel: survey.Channel(unescaped[1]), Responses: n, HandedOut: h})
	default:
		return fmt.Errorf("unknown line")
	}
	return nil
}
