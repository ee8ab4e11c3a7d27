package handlers

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// apiRoute reports whether a registered route belongs to the JSON API, which
// the document must describe (pages, /s/ survey links and /static are not API).
func apiRoute(path string) bool { return strings.HasPrefix(path, "/api/") }

func TestOpenAPICoversEveryRoute(t *testing.T) {
	t.Parallel()
	e := newTestEnv(t)
	rec := e.do(http.MethodGet, "/api/v1/openapi.json", "", "")
	if rec.Code != http.StatusOK {
		t.Fatalf("openapi.json: %d %s", rec.Code, rec.Body)
	}
	doc := decode[map[string]any](t, rec)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.") {
		t.Fatalf("not an OpenAPI 3 document: %v", doc["openapi"])
	}
	paths, _ := doc["paths"].(map[string]any)
	registered := map[string]bool{}
	for _, route := range e.router.Routes() {
		if !apiRoute(route.Path) {
			continue
		}
		path, _ := openAPIPath(route.Path)
		registered[route.Method+" "+path] = true
		item, _ := paths[path].(map[string]any)
		if _, ok := item[strings.ToLower(route.Method)]; !ok {
			t.Errorf("route %s %s is missing from openapi.json: add it to apiOperations", route.Method, route.Path)
		}
	}
	// And the document promises no route that does not exist.
	for _, op := range apiOperations() {
		path, _ := openAPIPath(op.Path)
		if !registered[op.Method+" "+path] {
			t.Errorf("openapi.json documents %s %s, which the router does not serve", op.Method, op.Path)
		}
	}
}

func TestOpenAPISchemasFollowTheCode(t *testing.T) {
	t.Parallel()
	doc := openAPIDocument("http://capsat.test")
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	props := func(name string) map[string]any {
		t.Helper()
		s, ok := schemas[name].(map[string]any)
		if !ok {
			t.Fatalf("no schema %s among %v", name, keys(schemas))
		}
		return s["properties"].(map[string]any)
	}
	order := props("APIOrder")
	for _, f := range []string{"id", "reference", "client", "start_date", "survey_status", "survey_url"} {
		if _, ok := order[f]; !ok {
			t.Errorf("order schema lacks %s", f)
		}
	}
	if _, ok := order["link_tokens"]; ok {
		t.Error("order schema shows a field the JSON hides")
	}
	client := props("Client")
	if _, ok := client["siret"]; !ok {
		t.Error("client schema lacks siret")
	}
	st := props("OrderInput")["service_type"].(map[string]any)
	if enum, _ := st["enum"].([]string); len(enum) != 2 {
		t.Errorf("service_type enum: %v", st)
	}
	if _, ok := props("Error")["fields"]; !ok {
		t.Error("error schema lacks fields")
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestOpenAPIUploadAndBinaryReplies(t *testing.T) {
	t.Parallel()
	schemas := schemaSet{defs: map[string]any{}, names: map[reflect.Type]string{}}
	errRef := schemas.ref(reflect.TypeFor[apiError]())
	upload := operationObject(apiOperation{Method: "POST", Path: "/api/v1/x", Upload: "file", Status: 200, Reply: map[string]int{}}, nil, &schemas, errRef)
	content := upload["requestBody"].(map[string]any)["content"].(map[string]any)
	if _, ok := content["multipart/form-data"]; !ok {
		t.Fatalf("upload body: %v", content)
	}
	if _, ok := upload["responses"].(map[string]any)["413"]; !ok {
		t.Fatal("an upload can be too large")
	}
	png := operationObject(apiOperation{Method: "GET", Path: "/api/v1/x/:id/qr.png", Status: 200, ReplyType: "image/png"}, []string{"id"}, &schemas, errRef)
	reply := png["responses"].(map[string]any)["200"].(map[string]any)["content"].(map[string]any)
	if _, ok := reply["image/png"]; !ok {
		t.Fatalf("png reply: %v", reply)
	}
}
