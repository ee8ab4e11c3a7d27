package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// IndexIDLookups makes FerretDB's _id lookups use an index. FerretDB 1.24
// looks up {_id: v} with WHERE _ferretdb_sjson->'$._id' = ?, while its own
// _id index is on _ferretdb_sjson->"_id", an expression SQLite does not
// match, so every _id find and update scans the table. An index on the very
// expression of the query turns those scans into B-tree lookups. It covers
// the collections that exist now (capsat creates its collections at start)
// and is idempotent; it returns how many tables it covered.
func (s *Server) IndexIDLookups(ctx context.Context, database string) (int, error) {
	return indexIDs(ctx, s.dir, database)
}

func indexIDs(ctx context.Context, dataDir, database string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dataDir, database+".sqlite")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM "_ferretdb_collections"`)
	if err != nil {
		return 0, fmt.Errorf("list tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return 0, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+"_id_expr", t)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return 0, fmt.Errorf("index %s: %w", t, err)
		}
	}
	return len(tables), nil
}
