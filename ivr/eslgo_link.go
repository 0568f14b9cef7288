package ivr

import (
	"net"
	_ "unsafe" // for go:linkname

	"github.com/percipia/eslgo"
)

// eslgo v1.5.0 builds outbound connections only inside its ListenAndServe,
// whose listener can never be closed (freeswitch-esl.md 7.3 point 12). To
// own the listener, and so stop it on Shutdown and in tests, the server
// accepts connections itself and hands each to eslgo's own per-connection
// setup: newConnection (reader and event loops) and dummyLoop (consumes the
// disconnect notice and closes after the linger time). These are the only
// unexported eslgo symbols used; go.mod pins v1.5.0, and the server tests
// exercise both, so an eslgo upgrade that renames them fails the build.

//go:linkname eslgoNewConnection github.com/percipia/eslgo.newConnection
func eslgoNewConnection(c net.Conn, outbound bool, opts eslgo.Options) *eslgo.Conn

//go:linkname eslgoDummyLoop github.com/percipia/eslgo.(*Conn).dummyLoop
func eslgoDummyLoop(c *eslgo.Conn)
