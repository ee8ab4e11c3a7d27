package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"capsat/config"
)

// The embedded store warns once its file passes 80 % of its limit (a
// sparse file stands for a full store); MongoDB never does.
func TestCapacityWarning(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	file := filepath.Join(cfg.DataDir, cfg.MongoDatabase+".sqlite")
	log := slog.New(slog.DiscardHandler)
	if err := os.WriteFile(file, []byte("small"), 0o600); err != nil {
		t.Fatal(err)
	}
	if w := capacityWarning(cfg, log); w != "" {
		t.Fatalf("a small store warns: %q", w)
	}
	if err := os.Truncate(file, embeddedStoreLimit*9/10); err != nil {
		t.Fatal(err)
	}
	if w := capacityWarning(cfg, log); !strings.Contains(w, "MongoDB") || !strings.Contains(w, "921 Mo") {
		t.Fatalf("a store near its limit: %q", w)
	}
	cfg.MongoURI = "mongodb://db.example.org"
	if w := capacityWarning(cfg, log); w != "" {
		t.Fatalf("MongoDB warns: %q", w)
	}
}
