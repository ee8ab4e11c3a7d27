package main

import (
	"encoding/json"
	"io"
	"log/slog"

	"capsat/config"
)

// env is what a subcommand gets from the process.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// onListen, when set, learns the address serve is bound to (tests
	// listen on 127.0.0.1:0).
	onListen func(addr string)
}

// usage is the help text of capsat and of its admin command.
const usage = `capsat: client-satisfaction surveys and CAP indicators.

Usage:
  capsat [serve] [flags]     run the HTTP service (default)
  capsat demo [flags]        fill the store with a demo network
  capsat admin COMMAND ...   administration on the configured store

Admin commands:
  create-structure    --name N --siret S --region R --type AI
  create-api-key      --name N (--structure SID | --role region --region NAME | --role federation)
  create-user         --email E --role R [--structure SID | --region NAME]
                      (password: first line of stdin, or generated and printed once)
  rebuild-summaries   recompute the indicator summaries and ledgers from all responses

Run "capsat COMMAND --help" for the flags of a command ("capsat serve --help"
lists every setting). Settings come from environment variables (see README),
overridden by the flags of serve.
`

// isHelp reports whether arg asks for the usage text.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}

// newLogger returns the JSON logger at the configured level.
func newLogger(cfg config.Config, e env) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	return slog.New(slog.NewJSONHandler(e.stderr, &slog.HandlerOptions{Level: level}))
}

// printJSON writes v on stdout as indented JSON: what admin and demo print.
func printJSON(e env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
