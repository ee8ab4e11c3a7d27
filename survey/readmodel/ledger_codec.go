package readmodel

import (
	"bytes"
	"capsat/survey"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/x/bsonx/bsoncore"
)

// Issued surveys are packed as lines "<order id>\t<service>\t<issued at,
// Unix ms>\t<1 when cancelled, else 0>\t<first channel>\n" (order ids are
// hexadecimal; the channel is empty when the link was not handed out).
// Lines written before channels were recorded have four fields: their links
// have no channel recorded either, so both read the same.
func appendIssued(b []byte, li *ledgerIssued) []byte {
	b = append(b, li.OrderID...)
	b = append(b, '\t')
	b = append(b, li.Service...)
	b = append(b, '\t')
	b = strconv.AppendInt(b, li.IssuedAt.UnixMilli(), 10)
	if li.Cancelled {
		b = append(b, "\t1\t"...)
	} else {
		b = append(b, "\t0\t"...)
	}
	b = append(b, li.Channel...)
	return append(b, '\n')
}

var errBadLedger = errors.New("ledger: malformed part")

// eachIssued calls fn for every packed issued survey.
func eachIssued(packed []byte, fn func(ledgerIssued)) error {
	for len(packed) > 0 {
		line, rest, ok := bytes.Cut(packed, []byte{'\n'})
		if !ok {
			return errBadLedger
		}
		packed = rest
		fields := strings.Split(string(line), "\t")
		if len(fields) != 4 && len(fields) != 5 {
			return errBadLedger
		}
		ms, err := strconv.ParseInt(fields[2], 10, 64)
		if err != nil {
			return errBadLedger
		}
		li := ledgerIssued{OrderID: fields[0], Service: survey.ServiceType(fields[1]), IssuedAt: time.UnixMilli(ms).UTC(), Cancelled: fields[3] == "1"}
		if len(fields) == 5 && fields[4] != "" {
			li.Channel = survey.Channel(fields[4]).Normal()
		}
		fn(li)
	}
	return nil
}

// addLedgerResponse adds one packed response document to src when its
// survey was issued in r. It walks the BSON itself: the reflection decoder
// into a Response and its map took most of a 100,000-response read.
func addLedgerResponse(src *survey.IndicatorSource, doc []byte, r survey.DateRange) error {
	var row survey.ResponseRow
	var answers, followUp bsoncore.Document
	flagged := false
	elems, ok := documentElements(doc)
	if !ok {
		return errBadLedger
	}
	for len(elems) > 0 {
		el, rest, ok := bsoncore.ReadElement(elems)
		if !ok {
			return errBadLedger
		}
		elems = rest
		v := el.Value()
		switch string(el.KeyBytes()) {
		case "_id":
			row.OrderID, ok = v.StringValueOK()
		case "order_reference":
			row.OrderReference, ok = v.StringValueOK()
		case "questionnaire_id":
			row.QuestionnaireID, ok = internBytes(src, v)
		case "service_type":
			var st string
			st, ok = internBytes(src, v)
			row.ServiceType = survey.ServiceType(st)
		case "questionnaire_version":
			var n int64
			n, ok = v.AsInt64OK()
			row.QuestionnaireVersion = int(n)
		case "issued_at":
			row.IssuedAt, ok = dateTime(v)
		case "submitted_at":
			row.SubmittedAt, ok = dateTime(v)
		case "answers":
			answers, ok = v.DocumentOK()
		case "flagged":
			flagged, ok = v.BooleanOK()
		case "follow_up":
			followUp, ok = v.DocumentOK()
		case "channel":
			var ch []byte
			ch, ok = stringBytes(v)
			row.Channel = survey.Channel(ch)
		}
		if !ok {
			return fmt.Errorf("%w: field %s", errBadLedger, el.Key())
		}
	}
	if !r.Contains(row.IssuedAt) {
		return nil
	}
	row.Channel = row.Channel.Normal() // absent: the link copied
	if answers != nil {
		elems, ok := documentElements(answers)
		if !ok {
			return errBadLedger
		}
		for len(elems) > 0 {
			el, rest, ok := bsoncore.ReadElement(elems)
			if !ok {
				return errBadLedger
			}
			elems = rest
			if value, ok := textIndexBytes(src, el.Value()); ok && value != 0 {
				src.SetAnswerBytes(&row, el.KeyBytes(), value)
			}
		}
	}
	src.Responses = append(src.Responses, row)
	if flagged {
		fu := survey.Response{
			OrderID: row.OrderID, OrderReference: row.OrderReference, ServiceType: row.ServiceType,
			QuestionnaireID: row.QuestionnaireID, QuestionnaireVersion: row.QuestionnaireVersion,
			IssuedAt: row.IssuedAt, SubmittedAt: row.SubmittedAt, Flagged: true,
		}
		if followUp != nil {
			fu.FollowUp = &survey.FollowUp{}
			if err := bson.Unmarshal(followUp, fu.FollowUp); err != nil {
				return err
			}
		}
		src.FollowUps = append(src.FollowUps, fu)
	}
	return nil
}

// documentElements returns the elements of a BSON document, without its
// length and final zero.
func documentElements(doc []byte) ([]byte, bool) {
	if len(doc) < 5 || int(uint32(doc[0])|uint32(doc[1])<<8|uint32(doc[2])<<16|uint32(doc[3])<<24) != len(doc) || doc[len(doc)-1] != 0 {
		return nil, false
	}
	return doc[4 : len(doc)-1], true
}

func dateTime(v bsoncore.Value) (time.Time, bool) {
	ms, ok := v.DateTimeOK()
	return time.UnixMilli(ms).UTC(), ok
}

// textIndexBytes is the text index of a BSON string value.
func textIndexBytes(src *survey.IndicatorSource, v bsoncore.Value) (uint32, bool) {
	b, ok := stringBytes(v)
	if !ok {
		return 0, false
	}
	return src.TextIndexBytes(b), true
}

// internBytes is a BSON string value, shared with the equal values src holds.
func internBytes(src *survey.IndicatorSource, v bsoncore.Value) (string, bool) {
	b, ok := stringBytes(v)
	if !ok {
		return "", false
	}
	return src.InternBytes(b), true
}

// stringBytes returns the bytes of a BSON string value.
func stringBytes(v bsoncore.Value) ([]byte, bool) {
	if v.Type != bsoncore.TypeString || len(v.Data) < 5 {
		return nil, false
	}
	return v.Data[4 : len(v.Data)-1], true
}

// ledgerIssued is an issued survey as a ledger keeps it.
type ledgerIssued struct {
	OrderID   string
	Service   survey.ServiceType
	IssuedAt  time.Time
	Cancelled bool
	Channel   survey.Channel // the link's first hand-out ("" when none)
}
