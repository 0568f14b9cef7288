package messaging

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// nodeSMSC is scripts/smsc-demo/smsc.js (npm smpp@0.5.1's createServer)
// running as a child process; its JSON event lines are collected.
type nodeSMSC struct {
	addr   string
	mu     sync.Mutex
	events []map[string]any
}

func (n *nodeSMSC) of(kind string) []map[string]any {
	n.mu.Lock()
	defer n.mu.Unlock()
	var out []map[string]any
	for _, e := range n.events {
		if e["event"] == kind {
			out = append(out, e)
		}
	}
	return out
}

// startNodeSMSC installs the script's locked dependencies (npm ci) when
// they are missing and starts it; the test is skipped only when node is
// not installed.
func startNodeSMSC(t testing.TB) *nodeSMSC {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the cross-implementation SMSC (npm smpp@0.5.1) needs Node.js")
	}
	dir, err := filepath.Abs("../scripts/smsc-demo")
	must(t, err)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "smpp", "package.json")); err != nil {
		npm := exec.Command("npm", "ci", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error")
		npm.Dir = dir
		if out, err := npm.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	cmd := exec.Command(node, "smsc.js", "--port", "0", "--system-id", "callcenter", "--password", "s3cret")
	cmd.Dir = dir
	stdin, err := cmd.StdinPipe()
	must(t, err)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())
	n := &nodeSMSC{}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			var e map[string]any
			if json.Unmarshal(sc.Bytes(), &e) != nil {
				continue
			}
			if e["event"] == "listening" {
				port, _ := e["port"].(float64)
				listening <- fmt.Sprintf("127.0.0.1:%d", int(port))
			}
			n.mu.Lock()
			n.events = append(n.events, e)
			n.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		stdin.Close() // the script exits when its stdin closes
		_ = cmd.Wait()
	})
	select {
	case n.addr = <-listening:
	case <-time.After(time.Minute):
		t.Fatal("the node SMSC did not start listening")
	}
	return n
}

// TestSMPPAgainstNodeSMSC: the gosmpp sender against an SMSC written with
// another SMPP implementation: bind_transceiver, submit_sm in GSM 7-bit
// and in UCS-2 with concatenation, a refused destination, and delivery
// receipts (delivered and undeliverable) by deliver_sm.
func TestSMPPAgainstNodeSMSC(t *testing.T) {
	smsc := startNodeSMSC(t)
	var mu sync.Mutex
	receipts := map[string]Receipt{}
	s, err := NewSMPP(SMPPConfig{Address: smsc.addr, SystemID: "callcenter", Password: "s3cret", SourceAddr: "95588",
		Rebind: 50 * time.Millisecond}, func(r Receipt) {
		mu.Lock()
		receipts[r.ProviderID] = r
		mu.Unlock()
	}, nil)
	must(t, err)
	defer s.Close()
	hello, err := sendWhenBound(t, s, Outgoing{To: "13800138001", Text: "Your statement is ready."})
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("尊敬的客户，您的信用卡本期账单已出，请按时还款。", 3) // 78 characters: two UCS-2 parts
	chinese, err := s.Send(context.Background(), Outgoing{To: "13800138002", Text: long, SignName: "某银行"})
	if err != nil || chinese.Parts != 2 {
		t.Fatalf("long chinese: %+v %v", chinese, err)
	}
	undeliv, err := s.Send(context.Background(), Outgoing{To: "13800134444", Text: "hi"})
	must(t, err)
	if _, err := s.Send(context.Background(), Outgoing{To: "13800130000", Text: "hi"}); !IsPermanent(err) || FailureCode(err) != "0x0000000B" {
		t.Fatalf("refused destination: %v (code %q)", err, FailureCode(err))
	}
	eventually(t, "three receipts", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(receipts) >= 3
	})
	mu.Lock()
	if r := receipts[hello.ProviderID]; r.Status != ReceiptDelivered || r.Code != "000" {
		t.Errorf("hello receipt %+v", r)
	}
	if r := receipts[chinese.ProviderID]; r.Status != ReceiptDelivered {
		t.Errorf("chinese receipt %+v (the last part's id %q)", r, chinese.ProviderID)
	}
	if r := receipts[undeliv.ProviderID]; r.Status != ReceiptFailed || r.Code != "UNDELIV:004" {
		t.Errorf("undeliverable receipt %+v", r)
	}
	mu.Unlock()
	var parts []string
	for _, sub := range smsc.of("submit") {
		switch sub["dest"] {
		case "13800138001":
			if sub["data_coding"] != 0.0 || sub["text"] != "Your statement is ready." {
				t.Errorf("gsm submit %v", sub)
			}
		case "13800138002":
			if sub["data_coding"] != 8.0 || len(sub["udh"].([]any)) != 1 {
				t.Errorf("ucs2 part %v", sub)
			}
			parts = append(parts, sub["text"].(string))
		}
	}
	if got := strings.Join(parts, ""); got != "【某银行】"+long {
		t.Errorf("the node SMSC reassembled %q", got)
	}
	if b := smsc.of("bind"); len(b) == 0 || b[0]["ok"] != true || b[0]["command"] != "bind_transceiver" {
		t.Errorf("bind %v", b)
	}
}
