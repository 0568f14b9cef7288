// Package feed is the in-process publish/subscribe hub for the live events
// pushed to browsers over server-sent events: an agent's offers, calls,
// states, reminders and messages, and the supervisors' and wallboard's views.
//
// Publishers hand the Hub an Event (a name, the topics it is for, a JSON
// payload); the hub numbers it, keeps it in a bounded replay buffer and
// copies a pointer to the queue of every subscriber of one of its topics.
// A stream that reconnects with its last event id gets exactly the events
// of its topics it missed, or, when the buffer no longer reaches back that
// far, a StartReset telling it to reload a snapshot.
//
// Concurrency model: the hub's state (the id counter, the replay buffer and
// the subscriber sets) is guarded by one mutex that is held only for memory
// work: numbering, appending, evicting and non-blocking channel sends. No
// I/O happens under it and no send waits: a subscriber whose queue is full
// is dropped on the spot (its channel closed, Err reporting ErrDropped), so
// a slow browser can never delay a publisher or another subscriber; it
// reconnects and resumes from the buffer. Each Subscription is read by one
// goroutine (the stream writing to the browser). Records are immutable once
// published and shared by every subscriber.
//
// Ids are integers that grow for the life of a hub; a new hub starts them at
// its start time in microseconds, so they also grow across restarts and a
// resume point from before a restart falls below the buffer and gets a
// reset rather than someone else's events.
package feed
