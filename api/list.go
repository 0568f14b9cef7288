package api

import (
	"fmt"
	"strconv"

	"github.com/bankcc/callcenter/store"
	"github.com/gin-gonic/gin"
)

// list is the shape of every list answer.
type list[T any] struct {
	Items []T   `json:"items"`
	Total int64 `json:"total"`
}

func newList[T any](items []T, total int64) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Total: total}
}

// maxPage bounds ?page so that page × page_size stays a sane row offset
// (9223372036854775807 would overflow it).
const maxPage = 1_000_000

func pageParams(c *gin.Context) (store.Page, error) {
	var p store.Page
	var err error
	if v := c.Query("page"); v != "" {
		if p.Number, err = strconv.Atoi(v); err != nil || p.Number < 1 || p.Number > maxPage {
			return p, fieldError("page", fmt.Sprintf("must be an integer between 1 and %d", maxPage))
		}
	}
	if v := c.Query("page_size"); v != "" {
		if p.Size, err = strconv.Atoi(v); err != nil || p.Size < 1 || p.Size > store.MaxPageSize {
			return p, fieldError("page_size", fmt.Sprintf("must be an integer between 1 and %d", store.MaxPageSize))
		}
	}
	return p, nil
}

func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, fieldError(name, "must be a positive integer id (at most 9223372036854775807)")
	}
	return id, nil
}

// int64Query reads an optional positive integer query parameter (0 if absent).
func int64Query(c *gin.Context, name string) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, fieldError(name, "must be a positive integer (at most 9223372036854775807)")
	}
	return n, nil
}

// searchPage reads the page parameters of a list that takes a keyword and
// checks the keyword's length: the search is a LIKE scan, so a long pattern
// is refused rather than run.
func searchPage(c *gin.Context, q string) (store.Page, error) {
	if len(q) > 100 {
		return store.Page{}, fieldError("q", "is at most 100 bytes")
	}
	return pageParams(c)
}
