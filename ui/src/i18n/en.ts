import type zh from "./zh-CN";

// English. Same keys as zh-CN.ts (checked by the type and by i18n.test.ts).
const en: typeof zh = {
  app: { title: "Call Center", simulated: "SIMULATED: no FreeSWITCH configured, calls go to the built-in simulator", language: "中文", logout: "Sign out", loading: "Loading…" },
  login: { title: "Sign in to the Call Center", username: "Username", password: "Password", submit: "Sign in", required: "Enter your username and password" },
  menu: { dashboard: "Dashboard", campaigns: "Campaigns", blacklist: "Do-not-call", users: "Users", audit: "Audit log", classic: "Classic pages" },
  common: {
    search: "Search", reset: "Reset", create: "Create", edit: "Edit", save: "Save", cancel: "Cancel", delete: "Delete", confirm: "OK",
    actions: "Actions", status: "Status", name: "Name", all: "All", back: "Back", saved: "Saved", deleted: "Deleted", yes: "Yes", no: "No",
    confirm_delete: "Delete {name}?", time: "Time", total: "{n} in all", none: "None", refresh: "Refresh", close: "Close",
  },
  enum: {
    kind: { notification: "Notification", collection: "Collection", survey: "Survey", confirmation: "Confirmation", sales: "Sales" },
    media: { voice: "Voice", ivr: "IVR", sms: "SMS", email: "Email", fax: "Fax" },
    dial_mode: { preview: "Preview", progressive: "Progressive", predictive: "Predictive", broadcast: "Broadcast" },
    campaign_status: { draft: "Draft", running: "Running", paused: "Paused", stopped: "Stopped", completed: "Completed" },
    contact_status: {
      pending: "Pending", in_progress: "In a call", completed: "Completed", failed: "Not reached", maintenance: "To fix", cancelled: "Cancelled",
      blocked: "Do-not-call",
    },
    not_dialable: {
      blacklisted: "Do-not-call", do_not_disturb: "Do not disturb", attempts_exhausted: "Attempts used up", retry_not_due: "Retry not due",
      outside_window: "Outside calling hours", outside_period: "Outside the campaign period", no_number: "No number to dial", callback_scheduled: "Callback booked",
      abandoned_recently: "Abandoned in the last 72 h", in_progress: "In a call", completed: "Completed",
      failed: "Attempts used up", maintenance: "Numbers to fix", cancelled: "Cancelled",
    },
    import_status: { queued: "Queued", running: "Importing", done: "Done", failed: "Failed", cancelled: "Cancelled" },
    role: { admin: "Administrator", supervisor: "Supervisor", qa: "QA", agent: "Agent" },
    dnc_kind: { phone: "Phone", id_number: "ID number" },
    dnc_source: { manual: "Manual", agent: "Agent", import: "File import", invalid_number: "Invalid number", customer_request: "Customer request", api: "API" },
    field: {
      name: "Name", phone: "Phone", alt_phone: "Second phone", id_number: "ID number", customer_type: "Customer type",
      manager_email: "Manager email", email: "Email", ignore: "Ignore", attribute: "Attribute",
    },
  },
  dashboard: {
    campaigns_running: "Running campaigns", contacts: "Contacts", attempts: "Attempts", answered: "Answered", abandoned: "Abandoned",
    abandon_rate: "Abandon rate (24 h)", per_campaign: "Calls per campaign", by_status: "Contacts by status", nodes: "Switch nodes",
    node_up: "Up", node_down: "Down", no_campaigns: "No campaigns yet", dial_rate: "Dial rate (/min)", uptime: "Uptime",
  },
  campaign: {
    list: "Campaigns", new: "New campaign", edit: "Edit campaign", kind: "Kind", media: "Media", dial_mode: "Dial mode", priority: "Priority",
    strategy: "Strategy", group: "Agent group", caller_ids: "Caller IDs", caller_ids_hint: "Type a number and press Enter", gateway: "Gateway",
    max_abandon_rate: "Max abandon rate", description: "Description", start: "Start", pause: "Pause", stop: "Stop",
    confirm_stop: "A stopped campaign cannot start again. Stop {name}?", started: "Started", paused: "Paused", stopped: "Stopped",
    search_name: "Name contains", detail: "Campaign", stats: "Live figures", contacts: "Contacts", import: "Import contacts", imports: "Imports",
    updated: "Updated", created: "Created", rate_limit: "limit",
  },
  contact: {
    name: "Name", phone: "Phone", id_number: "ID number", status: "Status", attempts: "Attempts", not_dialable: "Why not dialable",
    blocked_by: "Blocked by", filter_status: "Filter by status", search: "Name / number", owner: "Owner agent", customer_type: "Customer type",
  },
  wizard: {
    step_upload: "Upload", step_mapping: "Column mapping", step_progress: "Progress", step_result: "Result",
    choose_file: "Choose file", file_hint: "xlsx, csv/txt, docx or doc", sheet: "Sheet", sheet_hint: "Empty: the first sheet",
    encoding: "Encoding", encoding_auto: "Detect", next: "Next", previous: "Previous", preview: "Preview", start_import: "Import",
    column: "Column", header: "Header", maps_to: "Field", sample: "Sample", row: "Row", field: "Field", message: "Message", valid: "Valid",
    invalid_rows: "{n} previewed rows have problems", all_valid: "All previewed rows are valid", imported: "Imported", duplicates: "Duplicates", blocked: "Do-not-call",
    rejected: "Rejected", total: "Total", download_errors: "Download errors", errors: "Errors by row", again: "Import another file",
    dup_of_row: "Repeats row {n}", dup_of_contact: "Repeats contact #{n}", dup_of_entry: "On the do-not-call list (entry #{n})",
    no_file: "Choose a file first", force: "Allow importing the same file again", cancel_import: "Cancel import",
  },
  blacklist: {
    title: "Do-not-call list", value: "Number / ID", kind: "Kind", reason: "Reason", source: "Source", expires: "Until", add: "Add",
    phone: "Phone", id_number: "ID number", exists: "{value} is already listed; the entry is kept. Reasons: {reasons}",
    add_reason: "Add my reason", search: "Number or ID", created_by: "Added by", one_of: "Give a phone or an ID number",
  },
  user: {
    title: "Users", username: "Username", display_name: "Name", role: "Role", extension: "Extension", email: "Email", phone: "Phone",
    password: "Password", password_hint: "Empty: unchanged", disabled: "Disabled", enabled: "Enabled", last_login: "Last sign-in", unlock: "Lift lockout",
    locked_until: "Locked until", new: "New user", edit: "Edit user", unlocked: "Lockout lifted", sip_password: "Phone registration password (shown once)",
  },
  audit: {
    title: "Audit log", user: "User", action: "Action", target: "Target", result: "Result", ip: "Address", detail: "Detail",
    from: "From", to: "To",
  },
  dlp: {
    locked_title: "Screen locked", locked_hint: "Locked after inactivity: enter your password", unlock: "Unlock",
    print_blocked: "Printing needs the export permission", copy_blocked: "Copying many customer records needs the export permission",
  },
};
export default en;
