package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"capsat/config"
	"capsat/survey/store"

	"go.mongodb.org/mongo-driver/v2/mongo"
)

// Start-up failures of the store say why in plain words.
func TestStoreFaultsAtStartNameTheCause(t *testing.T) {
	t.Parallel()
	embeddedCfg := config.Default()
	embeddedCfg.DataDir = "/srv/capsat"
	mongoCfg := config.Default()
	mongoCfg.MongoURI = "mongodb://capsat:secret@db.example.org:27017/"
	internal := func(msg string) error {
		return store.Translate(mongo.CommandError{Code: 1, Name: "InternalError", Message: msg})
	}
	cases := []struct {
		cfg  config.Config
		err  error
		want string
	}{
		{embeddedCfg, internal("database or disk is full (13)"), "prepare store: disk full: free some space on the disk of the data folder /srv/capsat (CAPSAT_DATA_DIR)"},
		{embeddedCfg, internal("disk I/O error (4874)"), "prepare store: disk I/O error in the data folder /srv/capsat (CAPSAT_DATA_DIR): its disk is full or failing"},
		{embeddedCfg, internal("attempt to write a readonly database (8)"), "prepare store: data folder not writable: let the user capsat runs as write in /srv/capsat"},
		{mongoCfg, fmt.Errorf("store did not answer within 2s: server selection error: %w, current topology: { Type: Unknown }", context.DeadlineExceeded), "prepare store: store unreachable at mongodb://capsat:xxxxx@db.example.org:27017/ (MONGODB_URI)"},
	}
	for _, c := range cases {
		got := storeFault("prepare store", c.cfg, c.err).Error()
		if !strings.Contains(got, c.want) {
			t.Errorf("got %q, want it to contain %q", got, c.want)
		}
		if strings.Contains(got, "secret") {
			t.Errorf("the password is shown: %q", got)
		}
	}
}
