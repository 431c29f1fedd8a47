package store

import (
	"context"
	"fmt"
	"net/url"

	"github.com/jackc/pgx/v5"
)

// Databases made, dropped and locked whole, on a connection of their own to
// the server's administrative database: for the tests, the demo and the
// benchmark, each of which works on a database of its own.

// CreateDatabase creates database name on the server of adminURL (a URL of
// any database there, usually "postgres"), as a copy of template when it is
// not empty, and returns the new database's URL.
func CreateDatabase(ctx context.Context, adminURL, name, template string) (string, error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", err)
	}
	q := `CREATE DATABASE ` + pgx.Identifier{name}.Sanitize()
	if template != "" {
		q += ` TEMPLATE ` + pgx.Identifier{template}.Sanitize()
	}
	if err := adminExec(ctx, adminURL, q); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// DropDatabase drops database name on the server of adminURL, when it exists,
// ending its connections.
func DropDatabase(ctx context.Context, adminURL, name string) error {
	if err := adminExec(ctx, adminURL, `DROP DATABASE IF EXISTS `+pgx.Identifier{name}.Sanitize()+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// RenameDatabase renames database from to to on the server of adminURL.
func RenameDatabase(ctx context.Context, adminURL, from, to string) error {
	if err := adminExec(ctx, adminURL, `ALTER DATABASE `+pgx.Identifier{from}.Sanitize()+` RENAME TO `+pgx.Identifier{to}.Sanitize()); err != nil {
		return fmt.Errorf("rename database %s: %w", from, err)
	}
	return nil
}

// DatabaseExists says whether database name exists on the server of adminURL.
func DatabaseExists(ctx context.Context, adminURL, name string) (bool, error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return false, fmt.Errorf("connect postgres: %w", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return false, fmt.Errorf("database exists: %w", err)
	}
	return exists, nil
}

// adminExec runs one statement on a connection of its own to adminURL.
func adminExec(ctx context.Context, adminURL, q string) error {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return fmt.Errorf("connect postgres: %w", err)
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, q)
	return err
}

// LockDatabase takes a session advisory lock named key on a connection of
// its own to adminURL (a database that is not dropped while it is held). It
// returns ok=false when another session holds it; unlock releases it.
func LockDatabase(ctx context.Context, adminURL, key string) (unlock func(), ok bool, err error) {
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return nil, false, fmt.Errorf("connect postgres: %w", err)
	}
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtext($1))`, key).Scan(&ok); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, false, fmt.Errorf("lock %q: %w", key, err)
	}
	if !ok {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, false, nil
	}
	return func() { _ = conn.Close(context.Background()) }, true, nil // closing the session releases the lock
}
