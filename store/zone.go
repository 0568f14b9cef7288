package store

import (
	"sync"
	"time"
)

// zones caches time zones by name: time.LoadLocation reads the zone file
// on every call, and attendance, calendars and shifts ask for the same few
// zones once per row.
var zones sync.Map // name -> *time.Location

// loadZone is time.LoadLocation with the zones already loaded kept.
func loadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
