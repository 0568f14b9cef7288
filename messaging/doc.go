// Package messaging sends the messages of sms, email and fax campaigns and
// of result notifications: an SMTP sender (go-mail), an SMPP 3.4 sender
// (gosmpp) with delivery receipts, HTTP senders for the cloud SMS gateways
// Chinese banks use (Tencent Cloud TC3, a generic signed webhook), a fax
// sender over controller.Switch (mod_spandsp txfax), and Capture, the
// in-process stand-in used when nothing is configured (labelled simulated,
// never a silent drop).
//
// Every sender sends one message per call and answers with the provider's
// message id or a classified error (Permanent: the address or number is
// bad, Temporary: try again per the strategy). Delivery receipts arrive
// later on the sender's own goroutines and are handed to the Receipts
// callback given at construction; the caller stores them.
//
// Concurrency: senders are safe for concurrent use. The SMPP sender owns one
// bind; its window (requests in flight) is a semaphore and its replies are
// matched to waiting senders by sequence number in a map guarded by the
// sender's own mutex. The SMTP sender keeps one connection, used by one
// message at a time.
package messaging
