// Package importer reads contact lists as bank users bring them (csv/txt in
// UTF-8 or GBK, xlsx, docx, legacy Word 97 .doc), recognises their columns
// and validates each row into a Candidate for the store to deduplicate,
// blacklist-check and save.
//
// Everything here is pure data-format code: no database, no goroutines. A
// Source streams one row at a time so a million-row file never sits in
// memory; a Source is used by one goroutine. Mapping and the validation
// functions are safe for concurrent use once built.
package importer
