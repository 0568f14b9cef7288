package messaging

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bankcc/callcenter/reportfile"
	"github.com/bankcc/callcenter/store"
	"github.com/go-co-op/gocron/v2"
)

// ReportMailer sends saved reports on their schedules (issue 14): each due
// schedule's report runs over its period around the planned time, becomes
// an xlsx file and goes by e-mail to every recipient, each send in the
// delivery log (purpose report), the run on the schedule (last run,
// result) and in the audit log (user "system").
type ReportMailer struct {
	Store  *store.Store
	Sender Sender // the e-mail sender (the capture when no SMTP is configured)
	Now    func() time.Time
	Log    *slog.Logger
}

// reportScanEvery is how often due schedules are looked for: schedules are
// set to the minute.
const reportScanEvery = time.Minute

// Schedule adds the mailer's job to the scheduler (its clock drives it).
func (m *ReportMailer) Schedule(ctx context.Context, s gocron.Scheduler) error {
	_, err := s.NewJob(gocron.DurationJob(reportScanEvery), gocron.NewTask(func() { m.RunDue(ctx) }),
		gocron.WithName("report-schedules"), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return fmt.Errorf("messaging: schedule report e-mails: %w", err)
	}
	return nil
}

func (m *ReportMailer) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *ReportMailer) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.New(slog.DiscardHandler)
}

// RunDue sends every schedule due now; it returns how many ran.
func (m *ReportMailer) RunDue(ctx context.Context) int {
	now := m.now()
	due, err := m.Store.ClaimDueSchedules(ctx, now, 100)
	if err != nil && ctx.Err() == nil {
		m.log().Error("report schedules", "err", err)
	}
	for _, c := range due {
		run := m.send(ctx, &c)
		audit := &store.AuditEntry{At: now, Action: "report.schedule.send", TargetType: "report_schedule",
			TargetID: fmt.Sprint(c.ID), Username: "system", Status: 200, Result: "ok",
			Detail: fmt.Sprintf("saved_report=%d due=%s result=%s recipients=%d masked=%t", c.SavedReportID,
				c.Due.UTC().Format(time.RFC3339), run.Result, run.Recipients, run.Masked)}
		if run.Result != store.ScheduleSent {
			audit.Result, audit.Status, audit.Detail = "failed", 500, audit.Detail+" error="+run.Error
		}
		if err := m.Store.FinishScheduleRun(context.WithoutCancel(ctx), c.ID, run, audit); err != nil {
			m.log().Error("report schedule run", "schedule_id", c.ID, "err", err)
		}
		m.log().Info("scheduled report sent", "schedule_id", c.ID, "saved_report_id", c.SavedReportID,
			"result", run.Result, "recipients", run.Recipients, "masked", run.Masked)
	}
	return len(due)
}

// send runs one schedule's report and mails it to each recipient. The
// file is masked unless every recipient is a user holding pii_view.
func (m *ReportMailer) send(ctx context.Context, c *store.ClaimedSchedule) store.ScheduleRun {
	run := store.ScheduleRun{At: m.now(), Result: store.ScheduleFailed}
	rcpts, err := m.Store.ReportRecipients(ctx, c.Emails, c.GroupID)
	if err != nil {
		run.Error = err.Error()
		return run
	}
	if len(rcpts) == 0 {
		run.Error = "no recipient: the group has no member with an e-mail address"
		return run
	}
	run.Recipients = len(rcpts)
	for _, r := range rcpts {
		run.Masked = run.Masked || !r.PIIView
	}
	file, subject, text, err := m.render(ctx, c, run.Masked)
	if err != nil {
		run.Error = err.Error()
		return run
	}
	ok, errs := 0, []string{}
	for _, r := range rcpts {
		if err := m.mail(ctx, c, r.Email, subject, text, file); err != nil {
			errs = append(errs, r.Email+": "+err.Error())
			continue
		}
		ok++
	}
	switch {
	case ok == len(rcpts):
		run.Result = store.ScheduleSent
	case ok > 0:
		run.Result = store.SchedulePartial
	}
	run.Error = strings.Join(errs, "; ")
	return run
}

// render runs the report over its period around the planned time and
// writes the xlsx, its customer columns masked when asked.
func (m *ReportMailer) render(ctx context.Context, c *store.ClaimedSchedule, masked bool) (Attachment, string, string, error) {
	sr, err := m.Store.GetSavedReport(ctx, c.SavedReportID)
	if err != nil {
		return Attachment{}, "", "", err
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return Attachment{}, "", "", fmt.Errorf("timezone %q: %w", c.Timezone, err)
	}
	rep, err := m.Store.RunSavedReportAt(ctx, sr, loc, c.Due)
	if err != nil {
		return Attachment{}, "", "", fmt.Errorf("run saved report %d: %w", sr.ID, err)
	}
	if masked {
		store.MaskCustomerData(rep)
	}
	labels := map[string]string{}
	if reasons, err := m.Store.ListBreakReasons(ctx); err == nil {
		for _, r := range reasons {
			labels[r.Code] = map[bool]string{true: r.LabelEN, false: r.LabelZH}[c.Lang == "en"]
		}
	}
	var buf bytes.Buffer
	if err := reportfile.XLSX(&buf, rep, reportfile.Headers(rep, c.Lang, labels)); err != nil {
		return Attachment{}, "", "", fmt.Errorf("write xlsx: %w", err)
	}
	from, to := rep.From.In(loc), rep.To.In(loc).Add(-time.Second)
	period := from.Format("2006-01-02")
	if last := to.Format("2006-01-02"); last != period {
		period += "~" + last
	}
	name := fmt.Sprintf("%s-%s.xlsx", sr.Name, strings.ReplaceAll(period, "~", "_"))
	subject := fmt.Sprintf("报表：%s（%s）", sr.Name, period)
	text := fmt.Sprintf("附件是报表“%s”，统计期间 %s（%s），共 %d 行。\n此邮件由系统按计划发送。\n", sr.Name, period, c.Timezone, len(rep.Rows))
	if c.Lang == "en" {
		subject = fmt.Sprintf("Report: %s (%s)", sr.Name, period)
		text = fmt.Sprintf("Attached is the report %q for %s (%s), %d rows.\nSent on its schedule.\n", sr.Name, period, c.Timezone, len(rep.Rows))
	}
	return Attachment{Name: name, ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: buf.Bytes()},
		subject, text, nil
}

// mail sends the file to one recipient, logged in the delivery log.
func (m *ReportMailer) mail(ctx context.Context, c *store.ClaimedSchedule, to, subject, text string, file Attachment) error {
	row := &store.OutboundMessage{Purpose: store.PurposeReport, Channel: string(ChannelEmail), Provider: m.Sender.Name(),
		To: to, Subject: subject, Status: store.OutboundQueued, CreatedBy: c.CreatedBy}
	if _, err := m.Store.LogOutbound(ctx, row); err != nil {
		return err
	}
	sent, err := m.Sender.Send(ctx, Outgoing{Key: fmt.Sprintf("r%d", row.ID), To: to, Subject: subject, Text: text,
		Attachments: []Attachment{file}})
	res := settle(m.Sender.Name(), sent, err)
	if sent.Simulated {
		res.Status = store.OutboundDelivered
	}
	if serr := m.Store.SettleOutbound(context.WithoutCancel(ctx), row.ID, res, m.now()); serr != nil && err == nil {
		err = serr
	}
	return err
}
