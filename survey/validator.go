package survey

import (
	"time"

	"github.com/go-playground/validator/v10"
)

// NewValidator builds a validator with every capsat rule registered, on
// the system clock.
func NewValidator() *Validator { return NewValidatorAt(time.Now) }

// NewValidatorAt builds a validator whose "today" (for the range of order
// dates) comes from now: the store passes its own clock.
func NewValidatorAt(now func() time.Time) *Validator {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonFieldName)
	rules := map[string]func(string) bool{
		"siret":          ValidSIRET,
		"siren":          ValidSIREN,
		"phone_fr":       validNormalizedPhone,
		"date":           validDate,
		"service_type":   func(s string) bool { return ServiceType(s).Valid() },
		"structure_type": func(s string) bool { return validStructureType(StructureType(s)) },
		"region":         ValidRegion,
		"question_type":  func(s string) bool { return validQuestionType(QuestionType(s)) },
		"question_role":  func(s string) bool { return validQuestionRole(QuestionRole(s)) },
		"code_slug":      validCodeSlug,
	}
	for tag, ok := range rules {
		check := ok
		// Registration only fails for an empty tag or a nil function.
		_ = v.RegisterValidation(tag, func(fl validator.FieldLevel) bool { return check(fl.Field().String()) })
	}
	v.RegisterStructValidationMapRules(map[string]string{
		"Company":     "required,max=200",
		"SIRET":       "omitempty,siret",
		"ContactName": "max=200",
		"Email":       "omitempty,max=254,email",
		"Phone":       "omitempty,phone_fr",
	}, Client{})
	v.RegisterStructValidationMapRules(map[string]string{
		"Code":      "required,code_slug",
		"Label":     "required,max=500",
		"Help":      "max=1000",
		"Type":      "required,question_type",
		"Role":      "question_role",
		"Choices":   "max=20,dive,required,max=200",
		"MaxLength": "min=0,max=10000",
	}, Question{})
	v.RegisterStructValidationMapRules(map[string]string{
		"SurveyExpiryDays": "min=1,max=365",
	}, StructureSettings{})
	v.RegisterStructValidation(orderDates, OrderInput{})
	return &Validator{v: v, now: now}
}

// orderDates is the cross-field rule of an order: the end is not before the start.
func orderDates(sl validator.StructLevel) {
	in := sl.Current().Interface().(OrderInput)
	start, errStart := time.Parse(time.DateOnly, in.StartDate)
	end, errEnd := time.Parse(time.DateOnly, in.EndDate)
	if errStart == nil && errEnd == nil && end.Before(start) {
		sl.ReportError(in.EndDate, "end_date", "EndDate", "end_before_start", "")
	}
}
