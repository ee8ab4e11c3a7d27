package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"capsat/config"
	"capsat/survey"
	"capsat/survey/accounts"
	"capsat/survey/readmodel"
)

// admin runs one administration command on the configured store and prints
// its result as JSON on stdout.
func admin(ctx context.Context, args []string, e env) error {
	if len(args) == 0 || isHelp(args[0]) || args[0] == "help" {
		fmt.Fprint(e.stdout, usage)
		return nil
	}
	commands := map[string]func(context.Context, *openedStore, map[string]string, env) (any, error){
		"create-structure":  adminCreateStructure,
		"create-api-key":    adminCreateAPIKey,
		"create-user":       adminCreateUser,
		"rebuild-summaries": adminRebuildSummaries,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("unknown admin command %q (see capsat admin --help)", args[0])
	}
	// Parse the command's flags before opening the store, so --help and
	// mistakes answer at once.
	values, err := flagValues(args[0], args[1:], e)
	if err != nil {
		return err
	}
	return withStore(ctx, e, func(st *openedStore) error {
		out, err := cmd(ctx, st, values, e)
		if err != nil {
			return err
		}
		return printJSON(e, out)
	})
}

// withStore opens the configured store (environment only), runs f, closes it.
func withStore(ctx context.Context, e env, f func(*openedStore) error) error {
	cfg, err := config.Load(nil, e.getenv, e.stderr)
	if err != nil {
		return err
	}
	cfg.LogLevel = "warn"
	st, err := openStore(ctx, cfg, newLogger(cfg, e))
	if err != nil {
		return err
	}
	defer st.close()
	return f(st)
}

// cmdFlags returns the flag set of an admin command; define adds its flags.
func cmdFlags(name string, define func(*flag.FlagSet), e env) *flag.FlagSet {
	fs := flag.NewFlagSet("capsat admin "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	if define == nil {
		define = adminFlagDefs[name]
	}
	if define != nil {
		define(fs)
	}
	return fs
}

// adminFlagDefs declares each command's flags once, for parsing and --help.
var adminFlagDefs = map[string]func(*flag.FlagSet){
	"create-structure": func(fs *flag.FlagSet) {
		fs.String("name", "", "structure name (required)")
		fs.String("siret", "", "SIRET, 14 digits (required)")
		fs.String("region", "", "region, for example Normandie (required)")
		fs.String("type", "AI", "AI, ETTI, ACI, EI or other")
	},
	"create-api-key": func(fs *flag.FlagSet) {
		fs.String("name", "", "key name, for example 'logiciel de gestion' (required)")
		fs.String("structure", "", "structure id (for a structure key)")
		fs.String("role", "", "structure_member (default with --structure), structure_admin, region or federation")
		fs.String("region", "", "region (with --role region)")
	},
	"rebuild-summaries": func(fs *flag.FlagSet) {
		fs.Duration("progress-every", 5*time.Second, "interval of the progress line on stderr")
	},
	"create-user": func(fs *flag.FlagSet) {
		fs.String("email", "", "e-mail address, the login (required)")
		fs.String("role", "", "structure_admin, structure_member, region or federation (required)")
		fs.String("structure", "", "structure id (structure roles)")
		fs.String("region", "", "region (role region)")
	},
}

// flagValues parses a command's flags; a word left over (a value with a
// space not quoted, a misplaced argument) is an error, not ignored.
func flagValues(name string, args []string, e env) (map[string]string, error) {
	fs := cmdFlags(name, nil, e)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (quote values that contain spaces)", fs.Arg(0))
	}
	out := map[string]string{}
	fs.VisitAll(func(f *flag.Flag) { out[f.Name] = f.Value.String() })
	return out, nil
}

func adminCreateStructure(ctx context.Context, o *openedStore, v map[string]string, e env) (any, error) {
	st := o.store
	s, err := st.CreateStructure(ctx, survey.StructureInput{Name: v["name"], SIRET: v["siret"], Region: v["region"], Type: survey.StructureType(v["type"])})
	if err != nil {
		return nil, err
	}
	return map[string]string{"id": s.ID}, nil
}

func adminCreateAPIKey(ctx context.Context, o *openedStore, v map[string]string, e env) (any, error) {
	st := o.store
	role := accounts.Role(v["role"])
	if role == "" && v["structure"] != "" {
		role = accounts.RoleStructureMember
	}
	k, plain, err := st.CreateAPIKey(ctx, accounts.APIKeyInput{Name: v["name"], Role: role, StructureID: v["structure"], Region: v["region"]})
	if err != nil {
		return nil, err
	}
	return map[string]string{"key": plain, "id": k.ID, "role": string(k.Role)}, nil
}

// adminCreateUser creates an account. The password is the first line of
// stdin when one is piped in; otherwise one is generated and printed once.
func adminCreateUser(ctx context.Context, o *openedStore, v map[string]string, e env) (any, error) {
	st := o.store
	password, err := passwordFromStdin(e.stdin)
	if err != nil {
		return nil, err
	}
	generated := password == ""
	if generated {
		password = accounts.NewPassword()
	}
	u, err := st.CreateUser(ctx, accounts.UserInput{Email: v["email"], Password: password, Role: accounts.Role(v["role"]), StructureID: v["structure"], Region: v["region"]})
	if err != nil {
		return nil, err
	}
	out := map[string]string{"id": u.ID, "email": u.Email, "role": string(u.Role)}
	if u.StructureID != "" {
		out["structure_id"] = u.StructureID
	}
	if u.Region != "" {
		out["region"] = u.Region
	}
	if generated {
		out["password"] = password
	}
	return out, nil
}

// passwordFromStdin reads the first line of stdin, unless stdin is a
// terminal (nothing piped in) or absent; an empty result means "generate".
func passwordFromStdin(r io.Reader) (string, error) {
	if r == nil {
		return "", nil
	}
	if f, ok := r.(*os.File); ok {
		info, err := f.Stat()
		if err != nil || info.Mode()&os.ModeCharDevice != 0 {
			return "", nil
		}
	}
	line, err := bufio.NewReader(io.LimitReader(r, accounts.MaxPasswordLen+2)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// adminRebuildSummaries recomputes every structure × month summary from
// orders and responses (idempotent; safe while capsat serves).
func adminRebuildSummaries(ctx context.Context, st *openedStore, v map[string]string, e env) (any, error) {
	every, err := time.ParseDuration(v["progress-every"])
	if err != nil || every <= 0 {
		return nil, fmt.Errorf("invalid --progress-every %q: expected a positive duration such as 5s", v["progress-every"])
	}
	p := newRebuildProgress(e.stderr, time.Now())
	stop := p.every(every)
	rep, err := st.figures.RebuildSummariesWithProgress(ctx, p.set)
	stop()
	if err != nil {
		return nil, err
	}
	p.line()
	// The embedded store's order catalogue is a copy too: rebuilt with the
	// rest, for a store that was written by hand or restored in part.
	n, err := st.store.RebuildOrderCatalogue(ctx)
	if err != nil {
		return nil, err
	}
	return rebuildOutput{RebuildReport: rep, OrdersCatalogued: n}, nil
}

// rebuildOutput is what rebuild-summaries prints: the read model's report,
// and on the embedded store how many orders the catalogue lists.
type rebuildOutput struct {
	*readmodel.RebuildReport
	OrdersCatalogued int `json:"orders_catalogued,omitempty"`
}
