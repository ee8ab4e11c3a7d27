package handlers

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"capsat/survey"
)

// maxEditorQuestions bounds the questions the editor reads from a post, one
// more than a questionnaire may hold so that the limit's message shows.
const maxEditorQuestions = 41

// questionForm is one question of the editor as typed: strings, so that a
// mistake is shown back as it was typed.
type questionForm struct {
	Index     int
	Code      string
	Label     string
	Help      string
	Type      string
	Role      string
	Required  bool
	Choices   string // one answer per line
	MaxLength string
}

// Key is the prefix of the question's field names and messages ("questions[2]").
func (q questionForm) Key() string { return fmt.Sprintf("questions[%d]", q.Index) }

// Field names one of the question's fields ("questions[2].label").
func (q questionForm) Field(name string) string { return q.Key() + "." + name }

// ID is the HTML id of one of the question's fields.
func (q questionForm) ID(name string) string { return fieldID(q.Field(name)) }

// questionnaireForm is the editor's form: the draft as typed.
type questionnaireForm struct {
	Revision  int
	Title     string
	Intro     string
	Services  []string
	Questions []questionForm
}

// HasService tells the template which service boxes to tick.
func (f questionnaireForm) HasService(st survey.ServiceType) bool {
	return slices.Contains(f.Services, string(st))
}

// questionnaireFormOf fills the form with a stored version.
func questionnaireFormOf(q *survey.Questionnaire) questionnaireForm {
	f := questionnaireForm{Revision: q.Revision, Title: q.Title, Intro: q.Intro}
	for _, st := range q.ServiceTypes {
		f.Services = append(f.Services, string(st))
	}
	for i, qu := range q.Questions {
		qf := questionForm{Index: i, Code: qu.Code, Label: qu.Label, Help: qu.Help, Type: string(qu.Type), Role: string(qu.Role), Required: qu.Required, Choices: strings.Join(qu.Choices, "\n")}
		if qu.MaxLength > 0 {
			qf.MaxLength = strconv.Itoa(qu.MaxLength)
		}
		f.Questions = append(f.Questions, qf)
	}
	return f
}

// parseQuestionnaireForm reads the editor's post. Questions are posted as
// questions[i].field for i below the posted count.
func parseQuestionnaireForm(form url.Values) questionnaireForm {
	f := questionnaireForm{Title: form.Get("title"), Intro: form.Get("intro"), Services: form["service_types"]}
	f.Revision, _ = strconv.Atoi(form.Get("revision"))
	n, _ := strconv.Atoi(form.Get("count"))
	n = min(max(n, 0), maxEditorQuestions)
	for i := range n {
		q := questionForm{Index: i}
		get := func(name string) string { return form.Get(q.Field(name)) }
		q.Code, q.Label, q.Help = get("code"), get("label"), get("help")
		q.Type, q.Role, q.Choices, q.MaxLength = get("type"), get("role"), get("choices"), get("max_length")
		q.Required = get("required") != ""
		f.Questions = append(f.Questions, q)
	}
	return f
}

// renumber gives the questions their positions as indexes again.
func (f *questionnaireForm) renumber() {
	for i := range f.Questions {
		f.Questions[i].Index = i
	}
}

// apply runs a structural action of the editor (add, remove:i, up:i,
// down:i) on the typed form; false when action is none of them.
func (f *questionnaireForm) apply(action string) bool {
	verb, arg, _ := strings.Cut(action, ":")
	i, err := strconv.Atoi(arg)
	in := err == nil && i >= 0 && i < len(f.Questions)
	switch {
	case verb == "add":
		if len(f.Questions) < maxEditorQuestions-1 {
			f.Questions = append(f.Questions, questionForm{Type: string(survey.QuestionScale), Required: true})
		}
	case verb == "remove" && in:
		f.Questions = slices.Delete(f.Questions, i, i+1)
	case verb == "up" && in && i > 0:
		f.Questions[i-1], f.Questions[i] = f.Questions[i], f.Questions[i-1]
	case verb == "down" && in && i < len(f.Questions)-1:
		f.Questions[i+1], f.Questions[i] = f.Questions[i], f.Questions[i+1]
	default:
		return false
	}
	f.renumber()
	return true
}

// input turns the form into the domain's input. A blank code is made from
// the position; choices and the length only stay on the types that use
// them, so that changing a question's type drops what no longer applies.
// The field messages it returns are those of values that are not even
// numbers (the rest is the validator's).
func (f questionnaireForm) input() (survey.QuestionnaireInput, *formErrors) {
	rev := f.Revision
	in := survey.QuestionnaireInput{Title: f.Title, Intro: f.Intro, Revision: &rev}
	for _, s := range f.Services {
		in.ServiceTypes = append(in.ServiceTypes, survey.ServiceType(s))
	}
	used := map[string]bool{}
	for _, q := range f.Questions {
		used[strings.TrimSpace(q.Code)] = true
	}
	var fe *formErrors
	for _, q := range f.Questions {
		qu := survey.Question{Code: strings.TrimSpace(q.Code), Label: q.Label, Help: q.Help, Type: survey.QuestionType(q.Type), Role: survey.QuestionRole(q.Role), Required: q.Required}
		if qu.Code == "" {
			qu.Code = freeCode(used, q.Index+1)
		}
		if qu.Type == survey.QuestionChoice {
			for _, line := range strings.Split(q.Choices, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					qu.Choices = append(qu.Choices, line)
				}
			}
		}
		if qu.Type == survey.QuestionText && strings.TrimSpace(q.MaxLength) != "" {
			n, err := strconv.Atoi(strings.TrimSpace(q.MaxLength))
			if err != nil || n < 0 {
				fe = addFormError(fe, q.Field("max_length"), "Indiquez un nombre entier de caractères, ou laissez vide (2 000 caractères).")
			}
			qu.MaxLength = n
		}
		in.Questions = append(in.Questions, qu)
	}
	return in, fe
}

// freeCode is a question code not used yet: "question_n", n from the position.
func freeCode(used map[string]bool, n int) string {
	for ; ; n++ {
		if c := "question_" + strconv.Itoa(n); !used[c] {
			used[c] = true
			return c
		}
	}
}

var choiceItem = regexp.MustCompile(`^(questions\[\d+\]\.choices)\[\d+\]$`)

// questionnaireFieldKey maps a validation key to the editor's field: one
// message per choices box, one for the service boxes.
func questionnaireFieldKey(key string) string {
	if m := choiceItem.FindStringSubmatch(key); m != nil {
		return m[1]
	}
	if strings.HasPrefix(key, "service_types") {
		return "service_types"
	}
	return key
}

// questionnaireFieldOrder lists the editor's fields in page order, for the
// error summary.
func questionnaireFieldOrder(f questionnaireForm) []string {
	order := []string{"title", "intro", "service_types", "questions"}
	for _, q := range f.Questions {
		for _, name := range []string{"label", "code", "type", "role", "required", "choices", "help", "max_length"} {
			order = append(order, q.Field(name))
		}
	}
	return order
}
