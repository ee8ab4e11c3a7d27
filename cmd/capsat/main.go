// Command capsat serves client-satisfaction surveys and indicators for
// work-integration structures. Subcommands: serve (default), demo, admin.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "capsat:", err)
			os.Exit(1)
		}
	}
}

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

// run dispatches the subcommand; it is main without the process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	return dispatch(ctx, args, env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr})
}

// dispatch runs the subcommand named by args[0] (serve when none).
func dispatch(ctx context.Context, args []string, e env) error {
	cmd := "serve"
	if len(args) > 0 && isHelp(args[0]) {
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, e)
	case "demo":
		return demo(ctx, args, e)
	case "admin":
		return admin(ctx, args, e)
	case "help":
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	fmt.Fprint(e.stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// isHelp reports whether arg asks for the usage text.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help"
}
