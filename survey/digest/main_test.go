package digest_test

import (
	"testing"

	"capsat/survey/surveytest"
)

func TestMain(m *testing.M) { surveytest.Main(m) }
