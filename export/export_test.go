package export

import "io"

// WriteSatisfaction builds the satisfaction workbook and writes it to w,
// for the tests of package export_test.
func WriteSatisfaction(w io.Writer, in Satisfaction) error {
	data, err := SatisfactionWorkbook(in)
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}
