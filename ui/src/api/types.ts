export interface User {
  id: number;
  username: string;
  role: string;
  display_name: string;
  extension: string;
  group_ids: number[];
  level: number;
  permissions: string[];
  extra_permissions?: string[];
  email: string;
  phone: string;
  disabled: boolean;
  locked_until?: string;
  last_login_at?: string;
  created_at: string;
  sip_password?: string;
}

// CampaignMessage is what an sms, email or fax campaign sends; attachments
// are ids of uploaded documents (email).
export interface CampaignMessage {
  subject?: string;
  text?: string;
  html?: string;
  attachments?: number[];
  [key: string]: unknown;
}

// DocumentInfo is an uploaded document (fax or e-mail attachment).
export interface DocumentInfo {
  id: number;
  name: string;
  kind: string;
  content_type?: string;
  source_bytes?: number;
  bytes: number;
  pages: number;
  created_at: string;
}

export interface Campaign {
  id: number;
  name: string;
  kind: string;
  media: string;
  dial_mode: string;
  priority: number;
  strategy_id: number | null;
  group_id: number | null;
  script_id: number | null;
  caller_ids: string[] | null;
  gateway: string;
  max_abandon_rate: number;
  ivr_flow: string;
  description: string;
  message?: CampaignMessage;
  status: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CampaignStats {
  campaign_id: number;
  status: string;
  contacts: Record<string, number>;
  contacts_total: number;
  attempts: number;
  answered: number;
  answered_human: number;
  connected: number;
  abandoned: number;
  abandon_rate_24h: number;
  abandon_rate_30d: number;
  abandon_rate_campaign: number;
  max_abandon_rate: number;
  dial_rate_per_min: number;
  callbacks_due: number;
  callbacks_scheduled: number;
}

export interface ImportJob {
  id: number;
  campaign_id: number;
  filename: string;
  format: string;
  status: string;
  total: number;
  imported: number;
  duplicates: number;
  blocked: number;
  rejected: number;
  errors: import("./client").FieldError[] | null;
  message?: string;
  resumable: boolean;
  created_at: string;
  finished_at?: string;
}

export interface MappingColumn {
  index: number;
  header: string;
  field: string;
  attribute?: string;
  sensitive?: string;
}

export interface PreviewRow {
  row: number;
  cells: string[];
  valid: boolean;
  errors: import("./client").FieldError[] | null;
  duplicate_of?: { row?: number; contact_id?: number; dnc_entry_id?: number };
}

export interface Preview {
  header: string[];
  mapping: { columns: MappingColumn[] };
  rows: PreviewRow[];
}

// The agent desk (GET /me/state, the /me/events stream).
export interface AgentView {
  agent_id: number;
  name: string;
  extension: string;
  node: string;
  mode: string;
  session_id: number;
  state: string;
  reason?: string;
  call_uuid?: string;
  since: string;
  time_in_state_s: number;
  group_ids: number[];
  next?: string;
  next_reason?: string;
  disposition_call_uuid?: string;
  verify?: VerifyView;
}

// VerifyView is the IVR verification of the agent's call (R11): pending,
// verified, failed, no_input, error or caller_hangup.
export interface VerifyView {
  call_uuid: string;
  flow: string;
  status: string;
  ok: boolean;
  attempts: number;
  started?: string;
  ended?: string;
}

// DialResult is the call a manual dial started.
export interface DialResult {
  call_uuid: string;
  caller_id: string;
  attempt_id: number;
}

export interface BreakReason {
  code: string;
  label_zh: string;
  label_en: string;
  sort_order: number;
}

export interface Contact {
  id: number;
  campaign_id: number;
  name: string;
  phone: string;
  alt_phone: string;
  id_number: string;
  customer_type: string;
  email: string;
  attributes: Record<string, string> | null;
  status: string;
  attempts: number;
  last_result?: string;
}

// DeskCall is the call offered to or connected with the agent, as the
// offer and call events describe it (contact masked as the server sent it).
export interface DeskCall {
  uuid: string;
  campaign_id: number;
  contact: Contact | null;
  mode: string;
  attempt_id?: number;
  script_id?: number;
  status: string;
  since?: string;
  cause?: string;
  // offered: the offer came (the agent's phone is being rung).
  offered?: boolean;
  // dialed: the number the agent keyed for a manual call (their own input).
  dialed?: string;
}

export interface PreviewOffer {
  reservation_id: string;
  campaign_id: number;
  contact_id: number;
  callback_id?: number;
  phone: string;
  mode: string;
}

export interface Notice {
  key: number;
  kind: "message" | "announcement" | "reminder";
  title: string;
  text: string;
  at: string;
  read: boolean;
  data: any;
}

export interface Attempt {
  id: number;
  call_uuid: string;
  campaign_id?: number;
  contact_id?: number;
  agent_id?: number;
  destination: string;
  created_at: string;
  result?: string;
  outcome?: string;
  disposition?: string;
  billsec: number;
}

export interface Callback {
  id: number;
  campaign_id: number;
  contact_id: number;
  agent_id: number;
  due_at: string;
  phone: string;
  note: string;
  status: string;
}

export interface CustomerHistory {
  contacts: Contact[];
  attempts: Attempt[];
  callbacks: Callback[];
  notes: { id: number; contact_id: number; text: string; created_at: string }[];
}

export interface DispositionForm {
  result: string;
  note: string;
  callbackAt: Date | null;
  dnc: boolean;
}

// A call's script session (GET /me/script-sessions/{uuid}).
export interface ScriptOption {
  value: string;
  label: string;
  next?: string;
}

export interface ScriptNode {
  id: string;
  type: "text" | "question" | "end";
  text?: string;
  answer_type?: string;
  options?: ScriptOption[];
  outcome?: string;
  required?: boolean;
  article_ids?: number[]; // knowledge-base articles linked to the node
}

export interface ScriptSessionView {
  id: number;
  call_uuid: string;
  campaign_id?: number;
  contact_id?: number;
  script_id: number;
  version: number;
  status: "active" | "paused" | "finished";
  current: string;
  path: string[] | null;
  pause_reason?: string;
  pause_note?: string;
  outcome?: string;
  disposition?: string;
  title: string;
  nodes: ScriptNode[];
  node?: ScriptNode;
  answers: { node_id: string; value: string; source: string }[];
}
