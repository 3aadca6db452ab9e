//go:build tools

// Package tools pins the Temporal CLI that the tests, the benchmark and `npm start` run as their dev server.
// It exists for go.mod: the CLI v1.5.1 with modernc.org/sqlite raised from v1.34.1 to v1.44.3. The older
// driver leaves a SQLite connection failing with SQLITE_INTERRUPT ("interrupted (9)") for good once a query
// on it is cancelled, and the dev server keeps one connection: under a burst of callbacks with deadlines it
// then answered every call with "Namespace not found" until restarted (temporalio/temporal#9198 made the same
// upgrade for the same errors).
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
