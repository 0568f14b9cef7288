package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/bankcc/callcenter/controller"
	"github.com/bankcc/callcenter/messaging"
	"github.com/bankcc/callcenter/store"
	"github.com/go-co-op/gocron/v2"
	"github.com/spf13/viper"
)

// EmailConfig is email.* (api.md contract keys email.smtp.*, email.from).
type EmailConfig struct {
	SMTP     SMTPConfig
	From     string
	RatePerS float64 `mapstructure:"rate_per_s"`
}

// SMTPConfig is the relay; the password comes from the file or CC_EMAIL_SMTP_PASSWORD.
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	TLS      string
}

// SMSConfig is sms.* (contract keys sms.provider, sms.smpp.*).
type SMSConfig struct {
	Provider string // smpp, tencent, http; empty: the simulated capture
	SMPP     struct {
		Address    string
		SystemID   string `mapstructure:"system_id"`
		Password   string
		SourceAddr string  `mapstructure:"source_addr"`
		Window     int     `mapstructure:"window"`
		RatePerS   float64 `mapstructure:"rate_per_s"`
	}
	Tencent struct {
		SecretID  string `mapstructure:"secret_id"`
		SecretKey string `mapstructure:"secret_key"`
		AppID     string `mapstructure:"app_id"`
		Region    string
		Endpoint  string
	}
	HTTP struct {
		URL    string
		KeyID  string `mapstructure:"key_id"`
		Secret string
	}
}

func setMessagingDefaults(v *viper.Viper) {
	for k, d := range map[string]any{"email.smtp.host": "", "email.smtp.port": 587, "email.smtp.username": "",
		"email.smtp.password": "", "email.smtp.tls": "starttls", "email.from": "", "email.rate_per_s": 0,
		"sms.provider": "", "sms.smpp.address": "", "sms.smpp.system_id": "", "sms.smpp.password": "",
		"sms.smpp.source_addr": "", "sms.smpp.window": 10, "sms.smpp.rate_per_s": 0,
		"sms.tencent.secret_id": "", "sms.tencent.secret_key": "", "sms.tencent.app_id": "", "sms.tencent.region": "",
		"sms.tencent.endpoint": "", "sms.http.url": "", "sms.http.key_id": "", "sms.http.secret": "",
		"fax.gateway": "", "fax.ident": "", "fax.header": "", "fax.caller_id_number": ""} {
		v.SetDefault(k, d)
	}
}

// FaxConfig is fax.*: the trunk, the sending station id and the default
// page header of fax campaigns (documents go through FreeSWITCH's txfax).
type FaxConfig struct {
	Gateway        string // default: the first configured gateway, or the simulator's gw1
	Ident          string
	Header         string
	CallerIDNumber string `mapstructure:"caller_id_number"`
}

// messagingParts are the senders by medium, the campaign dispatcher (the
// dialer's sender seam) and the notifier.
type messagingParts struct {
	Dispatcher *messaging.Dispatcher
	Notifier   *messaging.Notifier
	Senders    map[store.Media]messaging.Sender
	Simulated  []string // media sent to the in-process capture (fax: to the FreeSWITCH simulator)
	closers    []func() error
	store      *store.Store
}

func (m *messagingParts) Close() {
	for _, c := range m.closers {
		_ = c()
	}
}

// buildMessaging makes the configured senders; a medium with nothing
// configured goes to the simulated capture (said in the log), never dropped.
func buildMessaging(cfg *Config, st *store.Store, sw controller.Switch, simulated bool, log *slog.Logger) (*messagingParts, error) {
	m := &messagingParts{Senders: map[store.Media]messaging.Sender{}, store: st}
	log = log.With("component", "messaging")
	var d *messaging.Dispatcher
	receipts := func(r messaging.Receipt) { d.Receipt(r) }
	email, err := emailSender(cfg.Email)
	if err != nil {
		return nil, err
	}
	if email == nil {
		email = messaging.NewCapture(messaging.ChannelEmail)
		m.Simulated = append(m.Simulated, "email")
	} else {
		m.closers = append(m.closers, email.(*messaging.Email).Close)
	}
	sms, err := smsSender(cfg.SMS, receipts, log)
	if err != nil {
		return nil, err
	}
	if sms == nil {
		sms = messaging.NewCapture(messaging.ChannelSMS)
		m.Simulated = append(m.Simulated, "sms")
	} else if c, ok := sms.(*messaging.SMPP); ok {
		m.closers = append(m.closers, c.Close)
	}
	m.Senders[store.MediaEmail], m.Senders[store.MediaSMS] = email, sms
	if sw != nil {
		fax, err := messaging.NewFax(sw, messaging.FaxConfig{Gateway: faxGateway(cfg, simulated), Ident: cfg.Fax.Ident,
			Header: cfg.Fax.Header, CallerIDNumber: cfg.Fax.CallerIDNumber, Simulated: simulated})
		if err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
		m.Senders[store.MediaFax] = fax
		if simulated {
			m.Simulated = append(m.Simulated, "fax")
		}
	}
	d = messaging.NewDispatcher(st, m.Senders, log)
	m.Dispatcher = d
	m.Notifier = messaging.NewNotifier(st, email, sms, time.Now().Add(-24*time.Hour), log)
	if len(m.Simulated) > 0 {
		log.Warn("SIMULATED: no provider configured, messages are captured in process and listed in the delivery log",
			"media", m.Simulated)
	}
	return m, nil
}

// faxGateway is fax.gateway, else the first configured gateway, else the
// simulator's.
func faxGateway(cfg *Config, simulated bool) string {
	if cfg.Fax.Gateway != "" {
		return cfg.Fax.Gateway
	}
	for _, n := range cfg.FreeSWITCH.Nodes {
		for _, g := range n.Gateways {
			return g.Name
		}
	}
	if simulated {
		return "gw1"
	}
	return ""
}

func emailSender(c EmailConfig) (messaging.Sender, error) {
	if c.SMTP.Host == "" {
		return nil, nil
	}
	e, err := messaging.NewEmail(messaging.EmailConfig{Host: c.SMTP.Host, Port: c.SMTP.Port, Username: c.SMTP.Username,
		Password: c.SMTP.Password, TLS: messaging.TLSMode(c.SMTP.TLS), From: c.From, PerSecond: c.RatePerS})
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return e, nil
}

func smsSender(c SMSConfig, receipts messaging.Receipts, log *slog.Logger) (messaging.Sender, error) {
	var s messaging.Sender
	var err error
	switch c.Provider {
	case "":
		return nil, nil
	case "smpp":
		s, err = messaging.NewSMPP(messaging.SMPPConfig{Address: c.SMPP.Address, SystemID: c.SMPP.SystemID,
			Password: c.SMPP.Password, SourceAddr: c.SMPP.SourceAddr, Window: c.SMPP.Window, PerSecond: c.SMPP.RatePerS}, receipts, log)
	case "tencent":
		s, err = messaging.NewTencent(messaging.TencentConfig{SecretID: c.Tencent.SecretID, SecretKey: c.Tencent.SecretKey,
			AppID: c.Tencent.AppID, Region: c.Tencent.Region, Endpoint: c.Tencent.Endpoint})
	case "http":
		s, err = messaging.NewHTTPSMS(messaging.HTTPConfig{URL: c.HTTP.URL, KeyID: c.HTTP.KeyID, Secret: c.HTTP.Secret})
	default:
		return nil, fmt.Errorf("config: sms.provider %q: must be smpp, tencent or http (or empty for the simulated capture)", c.Provider)
	}
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return s, nil
}

// scheduleMessaging adds the notifier, the follow-up forwarding and the
// scheduled report e-mails to the scheduler.
func scheduleMessaging(ctx context.Context, sched gocron.Scheduler, st *store.Store, m *messagingParts, log *slog.Logger) error {
	jobs := []struct {
		name  string
		every time.Duration
		fn    func()
	}{
		{"notify", 10 * time.Second, func() {
			if err := m.Notifier.Tick(ctx, time.Now()); err != nil && ctx.Err() == nil {
				log.Error("result notifications", "err", err)
			}
		}},
		{"follow-up", time.Minute, func() {
			if n, err := st.ForwardUnreached(ctx, time.Now(), 1000); err != nil && ctx.Err() == nil {
				log.Error("follow-up campaigns", "err", err)
			} else if n > 0 {
				log.Info("contacts handed to follow-up campaigns", "contacts", n)
			}
		}},
	}
	for _, j := range jobs {
		if _, err := sched.NewJob(gocron.DurationJob(j.every), gocron.NewTask(j.fn), gocron.WithName(j.name),
			gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
			return fmt.Errorf("schedule %s: %w", j.name, err)
		}
	}
	// saved reports e-mailed on their schedules, through the e-mail sender
	// (the capture when no SMTP is configured)
	reports := &messaging.ReportMailer{Store: st, Sender: m.Senders[store.MediaEmail], Log: log.With("component", "report-mail")}
	return reports.Schedule(ctx, sched)
}

// SendTest implements api.Messenger.
func (m *messagingParts) SendTest(ctx context.Context, t messaging.Test) (*store.OutboundMessage, error) {
	snd := m.Senders[store.Media(t.Channel)]
	if snd == nil {
		return nil, fmt.Errorf("%w: no sender for %s", messaging.ErrNotConfigured, t.Channel)
	}
	return messaging.SendTest(ctx, m.store, snd, t)
}
