// Package web holds the embedded browser UI: the Vue 3 + Element Plus
// admin app, built by Vite from ui/ into app/ (committed, so `go build`
// needs no Node; scripts/ui-build.sh --check proves the committed bundle
// matches the sources), served at /app/ (and / leads there).
package web

import (
	"embed"
	"io/fs"
	"os"
)

//go:embed all:app
var app embed.FS

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
