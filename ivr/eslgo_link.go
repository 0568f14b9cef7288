package ivr

import (
	"fmt"
	"net"
	"reflect"
	"time"
	"unsafe" // for go:linkname and the close delay

	"github.com/percipia/eslgo"
)

// eslgo v1.5.0 builds outbound connections only inside its ListenAndServe,
// whose listener can never be closed (freeswitch-esl.md 7.3 point 12). To
// own the listener, and so stop it on Shutdown and in tests, the server
// accepts connections itself and hands each to eslgo's own per-connection
// setup: newConnection (reader and event loops) and dummyLoop (consumes the
// disconnect notice and closes after the linger time). These, and the
// close delay below, are the only unexported eslgo parts used; go.mod pins
// v1.5.0, and the server tests exercise all three, so an eslgo upgrade that
// renames them fails the build or the tests.

//go:linkname eslgoNewConnection github.com/percipia/eslgo.newConnection
func eslgoNewConnection(c net.Conn, outbound bool, opts eslgo.Options) *eslgo.Conn

//go:linkname eslgoDummyLoop github.com/percipia/eslgo.(*Conn).dummyLoop
func eslgoDummyLoop(c *eslgo.Conn)

// eslgoNeverClose turns off eslgo's own close after a disconnect notice,
// before the goroutine that reads the delay starts. eslgo keeps that delay
// from the last Linger command sent, and dummyLoop reads it without the
// lock SendCommand writes it under, so a caller who hangs up while linger
// is being sent made a data race (seen under -race in CI). The server needs
// no such timer: it closes each connection itself when the call's flow
// ends, and FreeSWITCH's own close is seen by watchedConn. Linger then goes
// out as lingerCommand, which eslgo does not recognise and so never writes
// the delay.
func eslgoNeverClose(c *eslgo.Conn) {
	f := reflect.ValueOf(c).Elem().FieldByName("closeDelay")
	if !f.IsValid() || f.Type() != reflect.TypeFor[time.Duration]() {
		panic(fmt.Sprintf("ivr: eslgo.Conn has no closeDelay time.Duration field (eslgo upgraded?): %v", f))
	}
	*(*time.Duration)(unsafe.Pointer(f.UnsafeAddr())) = -1 // dummyLoop: negative = no close
}

// lingerCommand is "linger <seconds>" sent as a plain command (see
// eslgoNeverClose for why not command.Linger).
type lingerCommand struct{ seconds int }

func (l lingerCommand) BuildMessage() string { return fmt.Sprintf("linger %d", l.seconds) }
