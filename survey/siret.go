package survey

// ValidSIRET reports whether s is 14 digits with a valid Luhn key. La Poste's
// establishments (SIREN 356000000) follow their own rule: the digit sum is a
// multiple of 5.
func ValidSIRET(s string) bool {
	if len(s) != 14 || !allDigits(s) {
		return false
	}
	if s[:9] == "356000000" {
		sum := 0
		for _, r := range s {
			sum += int(r - '0')
		}
		return sum%5 == 0
	}
	return luhn(s)
}

// ValidSIREN reports whether s is 9 digits with a valid Luhn key.
func ValidSIREN(s string) bool { return len(s) == 9 && allDigits(s) && luhn(s) }

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func luhn(s string) bool {
	sum := 0
	double := false
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
