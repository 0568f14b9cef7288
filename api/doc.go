// Package api is the HTTP face of the product: the Gin router (routes.go lists
// every route with the permission it needs), handlers per resource, auth,
// audit, error mapping, health and metrics, and the OpenAPI document built
// from the same route table, so a route cannot exist undocumented.
//
// Handlers hold no live call state; they read the store and send requests to
// the controller through the small interfaces declared beside them.
package api
