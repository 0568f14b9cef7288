package api

import (
	"context"

	"github.com/bankcc/callcenter/acd"
	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/dialer"
	"github.com/bankcc/callcenter/store"
)

// acceptingDesk is the harness's default agent desk: it accepts every
// request, so that tests of the api layer (the route table, examples,
// permissions) reach the handlers. Tests of the desk itself wire a real
// acd.Desk (acd_test.go).
type acceptingDesk struct{}

func (acceptingDesk) SignIn(_ context.Context, r acd.SignInRequest) (acd.AgentView, error) {
	return acd.AgentView{AgentID: r.AgentID, State: store.AgentReady, Mode: r.Mode}, nil
}
func (acceptingDesk) SignOut(context.Context, int64) error { return nil }
func (acceptingDesk) ForceSignOut(context.Context, int64, int64) (bool, error) {
	return false, nil
}
func (acceptingDesk) DesktopGone(context.Context, int64) {}
func (acceptingDesk) Touch(int64)                        {}
func (acceptingDesk) Agent(_ context.Context, id int64) (acd.AgentView, error) {
	return acd.AgentView{AgentID: id, State: store.AgentReady}, nil
}
func (acceptingDesk) SetState(_ context.Context, id int64, to store.AgentState, reason string) (acd.AgentView, error) {
	return acd.AgentView{AgentID: id, State: to, Reason: reason}, nil
}
func (acceptingDesk) Control(context.Context, int64, string, string, string) error { return nil }
func (acceptingDesk) Verify(context.Context, int64, string, string) error          { return nil }
func (acceptingDesk) Answer(context.Context, int64, string) error                  { return nil }
func (acceptingDesk) Dial(_ context.Context, r acd.DialRequest) (acd.DialResult, error) {
	return acd.DialResult{CallUUID: "manual-call", CallerID: r.CallerID}, nil
}
func (acceptingDesk) Dispose(context.Context, int64, string, dialer.Disposition) error {
	return nil
}
func (acceptingDesk) AnswerPreview(context.Context, int64, dialer.PreviewChoice) (acd.PreviewView, error) {
	return acd.PreviewView{}, nil
}
func (acceptingDesk) Eavesdrop(context.Context, int64, string, controller.EavesdropMode) (string, error) {
	return "eavesdrop-leg", nil
}
func (acceptingDesk) Snapshot(context.Context) (acd.Snapshot, error) {
	return acd.Snapshot{Agents: []acd.AgentView{}, ByState: map[store.AgentState]int{}, Queues: []acd.QueueView{}, Calls: []acd.CallView{}}, nil
}
