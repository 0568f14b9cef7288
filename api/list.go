package api

import (
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

func pageParams(c *gin.Context) (store.Page, error) {
	var p store.Page
	var err error
	if v := c.Query("page"); v != "" {
		if p.Number, err = strconv.Atoi(v); err != nil || p.Number < 1 {
			return p, fieldError("page", "must be a positive integer")
		}
	}
	if v := c.Query("page_size"); v != "" {
		if p.Size, err = strconv.Atoi(v); err != nil || p.Size < 1 || p.Size > store.MaxPageSize {
			return p, fieldError("page_size", "must be between 1 and 500")
		}
	}
	return p, nil
}

func idParam(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, fieldError(name, "must be a positive integer id")
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
		return 0, fieldError(name, "must be a positive integer")
	}
	return n, nil
}
