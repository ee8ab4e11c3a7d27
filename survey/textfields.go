package survey

import (
	"fmt"
	"reflect"
	"strings"
)

// jsonFieldName makes validator paths use JSON names ("client.siret").
func jsonFieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return f.Name
	}
	return name
}

// cleanStrings applies CleanText to every string of the input s points to
// (fields, nested structs, pointers and slices), in place, and records a
// refused character under the field's JSON path ("client.company",
// "questions[2].label"). A field tagged `text:"multiline"` may hold tabs
// and line breaks.
func cleanStrings(s any, errs *ValidationError) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	cleanValue(v.Elem(), "", false, errs)
}

func cleanValue(v reflect.Value, path string, multiline bool, errs *ValidationError) {
	switch v.Kind() {
	case reflect.String:
		if !v.CanSet() {
			return
		}
		cleaned, msg := CleanText(v.String(), multiline)
		if cleaned != v.String() {
			v.SetString(cleaned)
		}
		if msg != "" {
			errs.Add(path, CodeInvalidChar, msg)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			cleanValue(v.Elem(), path, multiline, errs)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			cleanValue(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multiline, errs)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name := jsonFieldName(f)
			if !f.IsExported() || name == "" {
				continue
			}
			if path != "" {
				name = path + "." + name
			}
			cleanValue(v.Field(i), name, f.Tag.Get("text") == "multiline", errs)
		}
	}
}
