// Package importer reads contact lists as bank users bring them and turns
// each row into a validated Candidate for the store to deduplicate,
// blacklist-check and save.
//
// Readers (Open, OpenFile, SQLSource) all yield a header and rows numbered as
// the user sees them (header = row 1): csv/txt in UTF-8, UTF-8/UTF-16 with
// BOM or GBK/GB18030 with the delimiter detected; xlsx read by our own
// streaming scanner of the sheet XML (excelize's Rows reads ~35k rows/s,
// too slow for a million-row list); docx via archive/zip and encoding/xml;
// Word 97 .doc via mscfb and its piece table; database query results.
// Mapping recognises Chinese and English headers; ValidateContact applies the
// import rules (also to the ingest API's JSON contacts).
//
// Everything here is pure data-format code: no database, no goroutines. A
// Source streams one row at a time so a million-row file never sits in
// memory (except an xlsx's shared string table and a .doc's text, both
// bounded by the file size limit); a Source is used by one goroutine. Mapping
// and the validation functions are safe for concurrent use.
package importer
