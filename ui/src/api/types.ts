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
