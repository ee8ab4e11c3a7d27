package handlers

import (
	"bytes"
	"capsat/survey"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// French typography of the pages. Pure functions, registered as template
// functions (funcs) and used by the views that format figures in Go.

const (
	// nbsp goes before ":" and between words that must not part.
	nbsp = "\u00a0"
	// nnbsp (narrow no-break space) goes before "; ? ! %" and between
	// groups of thousands.
	nnbsp = "\u202f"
	// minus is the true minus sign, not the hyphen.
	minus = "\u2212"
)

var frMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// frLongDate formats a date as "3 mars 2026".
func frLongDate(t time.Time) string {
	return fmt.Sprintf("%d %s %d", t.Day(), frMonths[t.Month()-1], t.Year())
}

// frMonthsShort are the usual abbreviations of the months (Imprimerie
// nationale): four letters are not enough ("juil.", "sept.").
var frMonthsShort = []string{"janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."}

// frDate writes a day as "17/11/2026". It takes a time, a *time.Time (nil
// gives "") or a "2006-01-02" string (the order's dates); anything else is
// written as is, so that a template never fails on a date.
func frDate(v any) string {
	switch d := v.(type) {
	case time.Time:
		if d.IsZero() {
			return ""
		}
		return d.Format("02/01/2006")
	case *time.Time:
		if d == nil {
			return ""
		}
		return frDate(*d)
	case string:
		t, err := time.Parse(time.DateOnly, d)
		if err != nil {
			return d
		}
		return t.Format("02/01/2006")
	}
	return fmt.Sprint(v)
}

// frDateTime writes a moment in Paris time: "17/11/2026 à 14h05".
func frDateTime(t time.Time) string {
	return t.In(parisTZ()).Format("02/01/2006") + " à " + t.In(parisTZ()).Format("15h04")
}

// frShortMonth is "janv. 26": short enough for twelve labels on a chart.
func frShortMonth(t time.Time) string {
	return fmt.Sprintf("%s%s%02d", frMonthsShort[t.Month()-1], nbsp, t.Year()%100)
}

// frThousands groups the digits of n by three: "2 000", "−12 500".
func frThousands(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = minus, s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(nnbsp)
		}
		b.WriteRune(r)
	}
	return sign + b.String()
}

// frPercent writes a share (0.82) as "82 %", rounded to the unit.
func frPercent(share float64) string {
	return frThousands(int(math.Round(share*100))) + nnbsp + "%"
}

// frSigned writes a signed whole number, NPS style: "+7", "−7", and "0"
// without sign.
func frSigned(n int) string {
	if n > 0 {
		return "+" + frThousands(n)
	}
	return frThousands(n)
}

// frDecimal writes v with one decimal and a decimal comma: "3,4", "−0,5".
func frDecimal(v float64) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', 1, 64)
	s = strings.Replace(s, ".", ",", 1)
	if v < 0 && s != "0,0" {
		return minus + s
	}
	return s
}

// frCount writes a count with its noun in the singular (0 and 1, as French
// does) or the plural: frCount(3, "bon créé", "bons créés") is
// "3 bons créés", frCount(1, ...) "1 bon créé".
func frCount(n int, singular, plural string) string {
	if n > 1 || n < -1 {
		return frThousands(n) + nbsp + plural
	}
	return frThousands(n) + nbsp + singular
}

// frPlural picks the singular or plural word alone, for a count written
// elsewhere (a <strong> number).
func frPlural(n int, singular, plural string) string {
	if n > 1 || n < -1 {
		return plural
	}
	return singular
}

// frSpaces puts the French no-break spaces into a rendered page: an
// ordinary space before ":" becomes a no-break space, before "; ? ! %" a
// narrow one, so that a "%" never wraps alone. It changes text only: not
// tags and their attributes (input values, URLs), nor what <textarea>,
// <script>, <style> and <pre> hold, so that a value typed by a user is sent
// back as typed. Our own messages and users' text shown on the page get
// the same typography.
func frSpaces(page []byte) []byte {
	out := make([]byte, 0, len(page)+256)
	for i := 0; i < len(page); i++ {
		c := page[i]
		if c == '<' {
			end := indexFrom(page, i, ">")
			if end < 0 {
				return append(out, page[i:]...)
			}
			out = append(out, page[i:end+1]...)
			name := tagName(page[i+1 : end])
			i = end
			switch name {
			case "textarea", "script", "style", "pre":
				closing := indexFrom(page, i, "</"+name)
				if closing < 0 {
					return append(out, page[i+1:]...)
				}
				out = append(out, page[i+1:closing]...)
				i = closing - 1
			}
			continue
		}
		if c == ' ' && i+1 < len(page) {
			switch page[i+1] {
			case ':':
				out = append(out, nbsp...)
				continue
			case ';', '?', '!', '%':
				out = append(out, nnbsp...)
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

// indexFrom is the index of sub (lower case ASCII) in b at or after from,
// ignoring ASCII case, or -1.
func indexFrom(b []byte, from int, sub string) int {
	for i := from; i+len(sub) <= len(b); i++ {
		if b[i]|0x20 == sub[0] && bytes.EqualFold(b[i:i+len(sub)], []byte(sub)) {
			return i
		}
	}
	return -1
}

// tagName is the lower-case name of an opening tag's content ("textarea
// id=x" gives "textarea"); closing tags, comments and doctypes give "".
func tagName(tag []byte) string {
	n := 0
	for n < len(tag) && (tag[n] >= 'a' && tag[n] <= 'z' || tag[n] >= 'A' && tag[n] <= 'Z') {
		n++
	}
	return strings.ToLower(string(tag[:n]))
}

// parisTZ is the time zone of the dates pages show.
func parisTZ() *time.Location { return survey.IndicatorLocation() }
