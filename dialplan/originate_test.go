package dialplan

import (
	"errors"
	"testing"
	"time"
)

func TestEscapeValue(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"plain", "plain", false},
		{"", "", false},
		{"a,b", `a\,b`, false},
		{"Acme Sales", "'Acme Sales'", false},
		{"Acme, Sales", `'Acme\, Sales'`, false},
		{"O'Brien", "", true},
		{"x}y", "", true},
		{"x]y", "", true},
		{"line\nbreak", "", true},
		{`back\slash`, "", true},
		{"Zoë", "Zoë", false},
	}
	for _, tt := range tests {
		got, err := EscapeValue(tt.in)
		if tt.err {
			if !errors.Is(err, ErrUnsafeValue) {
				t.Errorf("EscapeValue(%q) err = %v, want ErrUnsafeValue", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("EscapeValue(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestOriginateArgs(t *testing.T) {
	gw := Leg{Vars: []Var{OriginationUUID("u-1")}, Endpoint: GatewayEndpoint("trunk1", "15551234")}
	tests := []struct {
		name string
		o    Originate
		want string
		err  bool
	}{
		{
			name: "gateway to park with caller id and timeout",
			o: Originate{
				Global:         []Var{{"campaign_id", "42"}, {"ignore_early_media", "true"}},
				Legs:           []Leg{gw},
				Target:         Park(),
				CallerIDName:   "Acme Sales",
				CallerIDNumber: "8005550100",
				Timeout:        30 * time.Second,
			},
			want: "{campaign_id=42,ignore_early_media=true,originate_timeout=30,origination_caller_id_name='Acme Sales',origination_caller_id_number=8005550100}[origination_uuid=u-1]sofia/gateway/trunk1/15551234 &park()",
		},
		{
			name: "agent to socket",
			o:    Originate{Legs: []Leg{{Vars: []Var{OriginationUUID("a-1")}, Endpoint: UserEndpoint("1001", "default")}}, Target: Socket("127.0.0.1:8084")},
			want: "[origination_uuid=a-1]user/1001@default '&socket(127.0.0.1:8084 async full)'",
		},
		{
			name: "extension in a context",
			o:    Originate{Legs: []Leg{{Endpoint: UserEndpoint("1002", "")}}, Target: Extension("9000"), Context: "dialer"},
			want: "user/1002 9000 XML dialer",
		},
		{
			name: "failover and simultaneous legs",
			o: Originate{
				Legs:   []Leg{{Endpoint: "user/1"}, {Vars: []Var{{"leg_timeout", "10"}}, Endpoint: "user/2"}},
				Target: App("eavesdrop", "u-9"),
			},
			want: "user/1|[leg_timeout=10]user/2 &eavesdrop(u-9)",
		},
		{
			name: "simultaneous",
			o:    Originate{Legs: []Leg{{Endpoint: "user/1"}, {Endpoint: "user/2"}}, Simultaneous: true, Target: Park()},
			want: "user/1,user/2 &park()",
		},
		{
			name: "comma in value escaped",
			o:    Originate{Global: []Var{{"note", "a,b"}}, Legs: []Leg{{Endpoint: "user/1"}}, Target: Park()},
			want: `{note=a\,b}user/1 &park()`,
		},
		{name: "no legs", o: Originate{Target: Park()}, err: true},
		{name: "no target", o: Originate{Legs: []Leg{gw}}, err: true},
		{name: "bad var name", o: Originate{Global: []Var{{"a b", "1"}}, Legs: []Leg{gw}, Target: Park()}, err: true},
		{name: "quote in caller id", o: Originate{Legs: []Leg{gw}, Target: Park(), CallerIDName: "O'Brien"}, err: true},
		{name: "space in endpoint", o: Originate{Legs: []Leg{{Endpoint: "user/1 2"}}, Target: Park()}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.o.Args()
			if tt.err {
				if !errors.Is(err, ErrUnsafeValue) {
					t.Fatalf("err = %v, want ErrUnsafeValue", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestOriginateArgsDoesNotAliasGlobal(t *testing.T) {
	global := make([]Var, 1, 4)
	global[0] = Var{"a", "1"}
	o := Originate{Global: global, Legs: []Leg{{Endpoint: "user/1"}}, Target: Park(), Timeout: time.Second}
	if _, err := o.Args(); err != nil {
		t.Fatal(err)
	}
	if got := global[:2][1]; got.Name != "" {
		t.Errorf("Args wrote into the caller's slice: %+v", got)
	}
}
