// Package web holds the embedded browser UI:
//   - app: the Vue 3 + Element Plus admin app, built by Vite from ui/ into
//     app/ (committed, so `go build` needs no Node; scripts/ui-build.sh
//     --check proves the committed bundle matches the sources). Served at
//     /app/ (and / leads there).
//   - static: the classic plain HTML/JS pages, served at /classic/ while a
//     browser test or a user still needs them.
package web

import (
	"embed"
	"io/fs"
	"os"
)

//go:embed static
var files embed.FS

//go:embed all:app
var app embed.FS

// Files is the classic UI's file tree (index.html at its root).
func Files() fs.FS {
	sub, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}

// App is the Vue app's built file tree (index.html and assets/). dir, when
// set, serves it from disk instead (a developer's `vite build --watch`
// output: ui.dir / CC_UI_DIR).
func App(dir string) fs.FS {
	if dir != "" {
		return os.DirFS(dir)
	}
	sub, err := fs.Sub(app, "app")
	if err != nil {
		panic(err) // the folder is embedded at build time
	}
	return sub
}
