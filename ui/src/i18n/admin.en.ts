// English labels of the supervisor and administration pages (issue 13); the
// same keys as admin.zh-CN.ts.
export default {
  nav: { monitor: "Live monitor", wallboard: "Wallboard", strategies: "Strategies", callbacks: "Callbacks", calls: "Call history" },
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
};
