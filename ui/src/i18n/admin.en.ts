// English labels of the supervisor and administration pages (issue 13); the
// same keys as admin.zh-CN.ts.
export default {
  nav: { monitor: "Live monitor", wallboard: "Wallboard", strategies: "Strategies", callbacks: "Callbacks", calls: "Call history", exports: "Export", messages: "Messages", outbound: "SMS/email log", shifts: "Shifts" },
  enum: {
    agent_state: { signed_out: "Signed out", ready: "Ready", reserved: "Ringing", on_call: "On call", hold: "On hold", acw: "Wrap-up", break: "Break" },
    node_state: { up: "Up", down: "Down", connecting: "Connecting" },
    caller_id_rotation: { round_robin: "Round robin", in_order: "In order" },
    callback_status: { scheduled: "Scheduled", offered: "Calling", done: "Done", missed: "Missed", cancelled: "Cancelled" },
    outcome: {
      success: "Success", human: "Talked", answered: "Answered", busy: "Busy", no_answer: "No answer", rejected: "Rejected", machine: "Machine",
      abandoned: "Abandoned", invalid_number: "Invalid number", network_failure: "Network failure", cancelled: "Cancelled", lost: "Unknown",
    },
  },
  monitor: {
    title: "Live monitor", live: "Live", offline: "Not connected", open_wallboard: "Open wallboard", waiting: "Waiting", calls: "Calls",
    agents: "Signed-in agents", filter_state: "State", filter_group: "Group", no_agents: "No agent signed in", agent: "Agent",
    extension: "Ext.", time_in_state: "In state", groups: "Groups", node: "Node", listen: "Listen", whisper: "Whisper", barge: "Barge",
    sign_out: "Sign out", queues: "Queues", no_queue: "Nobody waiting", group: "Group", longest_wait: "Longest wait", no_calls: "No call now",
    campaign: "Campaign", duration: "Duration", nodes: "Switch nodes and trunks", simulated: "Simulated", address: "Address", channels: "Channels",
    trunks: "Trunks", problems: "Problems",
    eavesdrop_started: "Calling your extension to {mode} {name}'s call", confirm_sign_out: "Sign {name} out now?",
    sign_out_deferred: "The agent is on a call: signed out when it ends", signed_out: "Signed out",
  },
  wallboard: {
    title: "Agents wallboard", exit: "Back to monitor", signed_in: "Signed in", ready: "Ready", talking: "Talking", acw: "Wrap-up", break: "Break",
    waiting: "Waiting", longest_wait: "Longest wait", calls: "Calls now", no_agents: "No agent signed in", notices: "Notices", no_notices: "No notice",
  },
  strategy: {
    title: "Strategies and calendars", tab_strategies: "Dialing strategies", tab_calendars: "Calendars", tab_holidays: "Official holidays",
    new: "New strategy", edit: "Edit strategy", calendar: "Calendar", choose_calendar: "Choose a calendar", min_attempts: "Min. attempts",
    max_attempts: "Max. per number", max_attempts_per_contact: "Max. per customer", min_retry: "Min. retry (s)", max_retry: "Max. retry (s)",
    min_ring_s: "Min. ring (s)", batch_size: "Batch size", batch_interval_s: "Batch interval (s)", phone_order: "Phone order",
    period_start: "Period start", period_end: "Period end", rotation: "Caller ID rotation", daily_limit: "Daily calls per caller ID",
    daily_limit_hint: "0: no limit", attempts: "Attempts", retry: "Retry after", batch: "Batch", period: "Period", version: "Ver.",
    minutes: "{n} min", seconds: "{n} s", open_period: "Open",
  },
  calendar: {
    official_short: "Holidays", new: "New calendar", edit: "Edit calendar", timezone: "Time zone", official: "Official holidays", windows: "Calling windows",
    add_window: "Add window", day_kind: "Applies to", customer_type: "Customer type", every_type: "Every type", start: "Start", end: "End",
    date_window_hint: "Applies to may be date:2026-12-31 for one date only; an end may be 24:00.", own_dates: "This calendar's own dates",
    add_date: "Add date", date: "Date", date_kind: "Kind of date", kind_workday: "Workday", kind_weekend: "Weekend", kind_holiday: "Holiday",
    makeup: "Make-up workday", closed: "No calls", none_selected: "Choose a calendar", add_holiday: "Add",
  },
  callback: {
    title: "Callbacks", campaign: "Campaign", agent: "Agent", due_from: "From", due_to: "To", due_at: "Due", contact: "Customer",
    phone: "Phone", note: "Note", cancel: "Cancel", edit: "Change callback", confirm_cancel: "Cancel the callback to {name}?", phone_keep: "Empty: unchanged",
  },
  calls: {
    title: "Call history", from: "From", to: "To", campaign: "Campaign", outcome: "Outcome", recorded: "Recording", with_recording: "Recorded",
    without_recording: "Not recorded", phone: "Whole number", playing: "Playing the recording of call #{id}", agent: "Agent", talk: "Talk time",
    disposition: "Disposition", recording: "Recording", play: "Play", recorded_yes: "Recorded", removed: "Past retention",
  },
  exports: {
    title: "Export contacts", campaign: "Campaign", choose_campaign: "Choose a campaign", statuses: "Statuses", all_statuses: "Every status",
    format: "Format", lang: "Header language", phone_format: "Phone format", national: "National", available: "Fields",
    attribute_key: "Attribute name", add_attribute: "Add attribute", chosen: "Columns exported", template: "Template",
    save_template: "Save as template", template_name: "Template name", none_chosen: "Choose fields on the left", field: "Field",
    header: "Header", order: "Order", up: "Up", down: "Down", export: "Export", audited: "Exports are written to the audit log",
    done: "Exported {name}",
    status: {
      completed: "Completed", uncompleted: "Not completed (pending, on a call, failed)", maintenance: "Needs fixing", blocked: "Blacklisted",
      cancelled: "Cancelled", pending: "Pending", in_progress: "On a call", failed: "Failed",
    },
  },
  // The server's default headers (api/export_lang.go), shown as placeholders.
  exportf: {
    id: "ID", name: "Name", phone: "Phone", alt_phone: "Alternate phone", id_number: "ID number", customer_type: "Customer type",
    manager_email: "Manager email", email: "Email", status: "Status", attempts: "Attempts", last_result: "Last result",
    last_attempt_at: "Last attempt", next_attempt_at: "Next attempt", owner_agent_id: "Owner agent", block_reason: "Block reason", created_at: "Imported at",
  },
  messages: {
    title: "Messages and announcements", inbox: "Inbox", outbox: "Sent", broadcasts: "Announcements and notices", to: "To",
    choose_person: "Choose a person", text: "Text", send: "Send", sent: "Sent", unread_only: "Unread only", from: "From",
    read_at: "Read at", mark_read: "Mark read", unread: "Unread", kind: "Kind", kind_announcement: "Announcement",
    kind_wallboard: "Wallboard notice", audience: "Send to", everyone: "Everyone", a_group: "A group", a_person: "A person",
    title_field: "Title", expires: "Expires", active_only: "In force only", sender: "Sender", read_count: "Read / sent",
    no_expiry: "No end", withdraw: "Withdraw", confirm_withdraw: "Withdraw \u201c{name}\u201d?", receipts_of: "Who read \u201c{name}\u201d",
    person: "Person",
  },
  outbound: {
    title: "SMS and email log", test: "Test", to: "Recipient", subject: "Subject", body: "Text", send_test: "Send test message",
    test_sent: "Test message: {status}", purpose_label: "Purpose", channel_label: "Channel", campaign: "Campaign", from: "From",
    till: "Till", simulated: "Simulated", provider: "Provider", parts: "Parts", tries: "Tries", sent_at: "sent", delivered_at: "delivered",
    purpose: { campaign: "Campaign", notification: "Notification", test: "Test" },
    channel: { sms: "SMS", email: "Email", fax: "Fax" },
    status: { queued: "Queued", sent: "Sent", delivered: "Delivered", failed: "Failed" },
  },
  shifts: {
    title: "Shifts and attendance", tab_attendance: "Attendance", tab_roster: "Roster", tab_shifts: "Shifts", group: "Group",
    agents: "Agents", agent: "Agent", date: "Date", shift: "Shift", day_off: "Day off", unscheduled: "Not rostered",
    scheduled: "Rostered", signed_in: "Signed in/out", now: "now", online: "Online", late: "Late (min)", early: "Left early (min)",
    breaks: "Breaks / allowed (min)", absent: "Absent", no_attendance: "No attendance in this period", dates: "Dates",
    weekdays: "Weekdays", plan: "Plan", clear: "Clear", assign: "Apply", assigned: "{n} roster days changed", note: "Note",
    new: "New shift", edit: "Edit shift", hours: "Hours", break_allowance: "Breaks allowed (min)", work: "Working time",
    timezone: "Time zone", start: "Start", end: "End", end_hint: "An end not after the start ends the next day (a night shift).",
    wd1: "Mon", wd2: "Tue", wd3: "Wed", wd4: "Thu", wd5: "Fri", wd6: "Sat", wd7: "Sun",
  },
};
