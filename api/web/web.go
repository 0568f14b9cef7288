// Package web holds the embedded browser UI: admin pages for now, the agent
// desktop and wallboard as their APIs land. Plain HTML and JavaScript, no
// build step, so `go build` needs no Node.
package web

import (
	"embed"
	"io/fs"
)

//go:embed static
var files embed.FS

// Files is the UI's file tree (index.html at its root).
func Files() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}
