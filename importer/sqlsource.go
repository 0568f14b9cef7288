package importer

import (
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"time"
)

// SQLSource adapts a query result (a scheduled pull from a business system's
// table) to a Source, so database rows get the same mapping and validation as
// files. The column names are the header; Row.Line counts like a file with a
// header, so the first record is row 2. Values become strings: NULL is "",
// times are "2006-01-02 15:04:05", []byte is taken as text. SQLSource closes
// rows when closed.
func SQLSource(rows *sql.Rows) (Source, error) {
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		return nil, fmt.Errorf("importer: query columns: %w", err)
	}
	if len(cols) == 0 {
		rows.Close()
		return nil, fmt.Errorf("%w: query returned no columns", ErrNoHeader)
	}
	return newSource(&sqlRows{rows: rows, width: len(cols), header: cols}, "query", DefaultLimits)
}

type sqlRows struct {
	rows   *sql.Rows
	width  int
	header []string
	line   int
}

func (s *sqlRows) next() (int, []string, error) {
	if s.header != nil {
		h := s.header
		s.header = nil
		s.line = 1
		return 1, h, nil
	}
	if !s.rows.Next() {
		if err := s.rows.Err(); err != nil {
			return 0, nil, fmt.Errorf("importer: query: %w", err)
		}
		return 0, nil, io.EOF
	}
	vals := make([]any, s.width)
	ptrs := make([]any, s.width)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := s.rows.Scan(ptrs...); err != nil {
		return 0, nil, fmt.Errorf("importer: query row %d: %w", s.line, err)
	}
	s.line++
	cells := make([]string, s.width)
	for i, v := range vals {
		cells[i] = sqlString(v)
	}
	return s.line, cells, nil
}

func sqlString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(x)
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case time.Time:
		return x.Format(time.DateTime)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func (s *sqlRows) close() error { return s.rows.Close() }
