package accounts_test

import (
	"fmt"
	"strings"
	"testing"

	"capsat/survey"
	"capsat/survey/accounts"
)

func TestRoleValid(t *testing.T) {
	t.Parallel()
	cases := map[accounts.Role]bool{
		accounts.RoleStructureAdmin:  true,
		accounts.RoleStructureMember: true,
		accounts.RoleRegionViewer:    true,
		accounts.RoleFederation:      true,
		"":                           false,
		"admin":                      false,
		"Structure_Admin":            false,
		" federation":                false,
		"region_viewer":              false,
	}
	for r, want := range cases {
		if got := r.Valid(); got != want {
			t.Errorf("Role(%q).Valid() = %v, want %v", r, got, want)
		}
	}
	// Roles are stored: their values must never change.
	stored := []accounts.Role{accounts.RoleStructureAdmin, accounts.RoleStructureMember, accounts.RoleRegionViewer, accounts.RoleFederation}
	if got := fmt.Sprint(stored); got != "[structure_admin structure_member region federation]" {
		t.Errorf("stored role values %s", got)
	}
}

func TestPrincipalInStructure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		p    *accounts.Principal
		sid  string
		want bool
	}{
		{"nobody", nil, "s1", false},
		{"admin of s1", &accounts.Principal{Role: accounts.RoleStructureAdmin, StructureID: "s1", UserID: "u1"}, "s1", true},
		{"member of s1", &accounts.Principal{Role: accounts.RoleStructureMember, StructureID: "s1", UserID: "u2"}, "s1", true},
		{"API key of s1", &accounts.Principal{Role: accounts.RoleStructureMember, StructureID: "s1", KeyID: "k1"}, "s1", true},
		{"admin of s1 in s2", &accounts.Principal{Role: accounts.RoleStructureAdmin, StructureID: "s1"}, "s2", false},
		{"member of s1 in s2", &accounts.Principal{Role: accounts.RoleStructureMember, StructureID: "s1"}, "s2", false},
		{"region viewer carrying a structure", &accounts.Principal{Role: accounts.RoleRegionViewer, StructureID: "s1", Region: "Normandie"}, "s1", false},
		{"federation", &accounts.Principal{Role: accounts.RoleFederation, StructureID: "s1"}, "s1", false},
		{"unknown role", &accounts.Principal{Role: "owner", StructureID: "s1"}, "s1", false},
		{"no structure asked of a principal without one", &accounts.Principal{Role: accounts.RoleStructureAdmin}, "", false},
	}
	for _, tc := range cases {
		if got := tc.p.InStructure(tc.sid); got != tc.want {
			t.Errorf("%s: InStructure(%q) = %v, want %v", tc.name, tc.sid, got, tc.want)
		}
	}
}

func TestUserPrincipal(t *testing.T) {
	t.Parallel()
	u := &accounts.User{ID: "u1", Email: "a@vire.fr", Role: accounts.RoleStructureAdmin, StructureID: "s1", Region: "Normandie", PasswordHash: "secret"}
	want := accounts.Principal{Role: accounts.RoleStructureAdmin, StructureID: "s1", Region: "Normandie", UserID: "u1", Name: "a@vire.fr"}
	if got := u.Principal(); *got != want {
		t.Errorf("Principal() = %+v, want %+v", *got, want)
	}
}

func TestHashAPIKey(t *testing.T) {
	t.Parallel()
	cases := map[string]string{ // SHA-256, as sha256sum prints it
		"":                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"abc":                     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"capsat_0123456789abcdef": "f48c9bf8dfddb628c99986a13eb5cb276be0aa7ba96a430c5102832cb910c3fa",
	}
	for key, want := range cases {
		if got := accounts.HashAPIKey(key); got != want {
			t.Errorf("HashAPIKey(%q) = %s, want %s", key, got, want)
		}
	}
	key := accounts.APIKeyPrefix + survey.NewToken()
	if h := accounts.HashAPIKey(key); h == accounts.HashAPIKey(key+"x") || strings.Contains(h, key) || h != accounts.HashAPIKey(key) {
		t.Errorf("hash %s of %s", h, key)
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"jean.dupont@example.fr":          "jean.dupont@example.fr",
		"  Jean.Dupont@Example.FR \n":     "jean.dupont@example.fr",
		"\tMARIE@VIRE.FR":                 "marie@vire.fr",
		"":                                "",
		"   ":                             "",
		"Élodie@Mairie.fr":                "élodie@mairie.fr",
		"jean dupont <jean@example.fr>  ": "jean dupont <jean@example.fr>", // normalised, not parsed
	}
	for in, want := range cases {
		if got := accounts.NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestValidEmail(t *testing.T) {
	t.Parallel()
	long := func(n int) string { // an address of n bytes
		return "a@" + strings.Repeat("b", n-5) + ".fr"
	}
	cases := map[string]bool{
		"jean.dupont@example.fr":    true,
		"j+capsat@mairie-vire.fr":   true,
		"a@b.c.fr":                  true,
		long(254):                   true,
		long(255):                   false,
		"":                          false,
		"jean":                      false,
		"jean@localhost":            false, // no dot in the domain
		"jean@":                     false,
		"@example.fr":               false,
		"jean@@example.fr":          false,
		" jean@example.fr":          false, // not normalised
		"Jean <jean@example.fr>":    false, // a display name is not an address
		"<jean@example.fr>":         false,
		"jean@example.fr, a@b.fr":   false,
		"jean..dupont@example.fr":   false,
		"jean@example.fr\r\nBcc: x": false,
	}
	for email, want := range cases {
		if got := accounts.ValidEmail(email); got != want {
			t.Errorf("ValidEmail(%q) = %v, want %v", email, got, want)
		}
	}
}

func TestUserIDForEmail(t *testing.T) {
	t.Parallel()
	// Ids are stored: the derivation must never change.
	if got := accounts.UserIDForEmail("jean.dupont@example.fr"); got != "d572e8a01f40dbfe97711562" {
		t.Errorf("UserIDForEmail = %s", got)
	}
	id := accounts.UserIDForEmail(accounts.NormalizeEmail("  Jean.Dupont@Example.FR "))
	if id != accounts.UserIDForEmail("jean.dupont@example.fr") || !survey.ValidIDShape(id) {
		t.Errorf("id of the normalised address %q", id)
	}
	if accounts.UserIDForEmail("jean.dupont@example.fr") == accounts.UserIDForEmail("jean.dupond@example.fr") {
		t.Error("two addresses share an id")
	}
}

func TestValidSessionToken(t *testing.T) {
	t.Parallel()
	if accounts.SessionTokenLen != 48 {
		t.Fatalf("SessionTokenLen = %d, want 48", accounts.SessionTokenLen)
	}
	tok := survey.NewToken() + survey.NewToken()
	cases := map[string]bool{
		tok:                       true,
		strings.Repeat("A", 48):   true,
		survey.NewToken():         false, // a survey token alone
		tok[:47]:                  false,
		tok + "a":                 false,
		"":                        false,
		tok[:47] + "=":            false,
		tok[:30] + "." + tok[31:]: false, // bad character in the second half
		"/" + tok[1:]:             false, // and in the first
		tok[:24] + "é" + tok[26:]: false,
		strings.Repeat("a", 24) + "%2F" + strings.Repeat("a", 21): false,
	}
	for s, want := range cases {
		if got := accounts.ValidSessionToken(s); got != want {
			t.Errorf("ValidSessionToken(%q) = %v, want %v", s, got, want)
		}
	}
}
