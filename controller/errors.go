package controller

import "errors"

// Sentinel errors of the controller. Callers test them with errors.Is; the
// api package maps them to HTTP statuses in one table.
var (
	// ErrNoCapacity means no node is up with a free channel.
	ErrNoCapacity = errors.New("controller: no FreeSWITCH node with free capacity")
	// ErrNodeDown means the node that owns the channel is not connected.
	ErrNodeDown = errors.New("controller: FreeSWITCH node down")
	// ErrTimeout means FreeSWITCH did not answer a command in time; the
	// connection has been recycled.
	ErrTimeout = errors.New("controller: FreeSWITCH command timed out")
	// ErrRejected means FreeSWITCH answered a command with -ERR.
	ErrRejected = errors.New("controller: FreeSWITCH rejected the command")
	// ErrNoSuchCall means no node knows the channel uuid.
	ErrNoSuchCall = errors.New("controller: no such call")
	// ErrCrossNode means two channels live on different nodes and cannot be
	// bridged directly.
	ErrCrossNode = errors.New("controller: channels are on different nodes")
	// ErrClosed means the pool has been closed.
	ErrClosed = errors.New("controller: pool closed")
	// ErrInvalid means a request is missing something it needs.
	ErrInvalid = errors.New("controller: invalid request")
)
