// Package store holds the domain records (GORM models), their status rules and
// their queries, one file per entity. It opens either the embedded SQLite
// database (the default, pure Go) or MySQL/MariaDB, and runs the migrations.
//
// Nothing above store imports gorm: callers get plain structs and the
// sentinel errors of errors.go. A *Store is safe for concurrent use; it holds
// no live call state, only what is persisted.
package store
