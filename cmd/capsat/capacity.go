package main

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"capsat/config"
)

// embeddedStoreLimit is the size of the embedded store's database file past
// which capsat warns (README "Limits of the embedded store"): daily pages
// cost what one structure shows, but federation figures, imports, a restart
// after a crash and backups grow with the file.
const embeddedStoreLimit = 1 << 30

// capacityWarning is the French warning the federation pages show, and the
// log says at start, when the embedded store's file nears its limit; empty
// on MongoDB or below it.
func capacityWarning(cfg config.Config, log *slog.Logger) string {
	if !cfg.Embedded() {
		return ""
	}
	info, err := os.Stat(filepath.Join(cfg.DataDir, cfg.MongoDatabase+".sqlite"))
	if err != nil || info.Size() < embeddedStoreLimit*8/10 {
		return ""
	}
	log.Warn("embedded store nears its limits: move to MongoDB (README, Limits of the embedded store)",
		slog.Int64("bytes", info.Size()), slog.Int64("limit", embeddedStoreLimit))
	return fmt.Sprintf("Le stockage intégré occupe %d Mo, près de sa limite de %d Mo : passez à MongoDB (voir le README, « Limits of the embedded store »).",
		info.Size()>>20, embeddedStoreLimit>>20)
}
