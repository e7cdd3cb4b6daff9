import type { Generated } from 'kysely';

/** Table types for Kysely. Columns use portable types (TEXT, INTEGER) so PostgreSQL can follow. */
export interface ResourceTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: string;
  deleted: number;
  /** The patient whose compartment holds this resource (the Patient's own id for a Patient). */
  patient_id: string | null;
  content: string;
}

export interface ResourceHistoryTable {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: string;
  deleted: number;
  content: string;
}

export interface SearchTokenTable {
  resource_type: string;
  resource_id: string;
  param: string;
  system: string | null;
  code: string;
}

export interface SearchStringTable {
  resource_type: string;
  resource_id: string;
  param: string;
  /** Lower-cased, accents removed, for prefix matching. */
  value: string;
}

export interface SearchReferenceTable {
  resource_type: string;
  resource_id: string;
  param: string;
  target_type: string;
  target_id: string;
}

export interface SearchDateTable {
  resource_type: string;
  resource_id: string;
  param: string;
  /** ISO-8601 instants (UTC) bounding the value: a date 2020-01-02 spans the whole day. */
  start: string;
  end: string;
}

export interface UserTable {
  id: string;
  email: string;
  password_hash: string;
  role: string;
  display_name: string;
  /** Set for patient accounts: the Patient resource they own. */
  patient_id: string | null;
  /** Practitioner resource id for staff who are practitioners. */
  practitioner_id: string | null;
  /** TOTP secret, sealed with SecretBox (platform/auth/secret-box.ts); set at enrolment. */
  totp_secret: string | null;
  totp_enabled: number;
  /** The TOTP time step last accepted; codes at or before it are refused (replay). */
  totp_last_step: number | null;
  failed_logins: number;
  locked_until: string | null;
  disabled: number;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
  /** Bumped when every session of the account must end (sign-out, disable, role or password change). */
  session_version: number;
}

export interface RefreshTokenTable {
  token_hash: string;
  user_id: string;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
  /** The account's session version when the token was issued; an older one no longer refreshes. */
  session_version: number;
}

export interface AuditLogTable {
  seq: Generated<number>;
  at: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  outcome: string;
  resource_type: string | null;
  resource_id: string | null;
  patient_id: string | null;
  reason: string | null;
  ip: string | null;
  request_id: string | null;
  details: string | null;
  prev_hash: string;
  hash: string;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface ConversationTable {
  id: string;
  channel: string;
  patient_id: string | null;
  visitor_name: string | null;
  state: string;
  queue: string | null;
  priority: number;
  /** JSON array of skill names. */
  skills: string;
  /** JSON handoff packet from the bot, once handed off. */
  handoff: string | null;
  last_seq: number;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** The agent who owns the conversation now (migration 007). */
  agent_id: string | null;
  /** When it started waiting for a person (queued; migration 007). */
  queued_at: string | null;
  /** JSON `AssignmentReason` of the routing decision that gave it to its agent (migration 007). */
  assignment_reason: string | null;
  /** JSON `PrechatAnswers` from the widget's pre-chat form, or null (migration 012). */
  prechat: string | null;
}

export interface ConversationWrapupTable {
  conversation_id: string;
  disposition: string | null;
  notes: string | null;
  by_user_id: string;
  at: string;
}

export interface ConversationParticipantTable {
  conversation_id: string;
  user_id: string;
  kind: string;
  display_name: string | null;
  muted: number;
  joined_at: string;
  left_at: string | null;
}

export interface ConversationMessageTable {
  id: string;
  conversation_id: string;
  seq: number;
  client_message_id: string | null;
  sender_kind: string;
  sender_id: string;
  kind: string;
  body: string;
  created_at: string;
  /** JSON `AttachmentView` on `attachment` messages (migration 006). */
  attachment: string | null;
  /** JSON `ChatCard` on `card` messages (migration 016). */
  card: string | null;
  /** JSON `BotContent` (contracts/conversations.ts): a bot message's cards and suggested actions, a patient's card inputs (migration 020). */
  bot_content: string | null;
}

export interface ConversationReceiptTable {
  conversation_id: string;
  user_id: string;
  delivered_seq: number;
  read_seq: number;
  updated_at: string;
}

/** Bytes of a file uploaded into a chat (migration 008). */
export interface AttachmentTable {
  id: string;
  conversation_id: string;
  uploader_id: string;
  client_message_id: string;
  file_name: string;
  content_type: string;
  size: number;
  sha256: string;
  data: Buffer;
  created_at: string;
}

/** One follow-up survey per conversation; the token is stored only as its SHA-256 (migration 008). */
export interface SurveyOfferTable {
  conversation_id: string;
  token_hash: string;
  survey_id: string;
  patient_id: string | null;
  agent_id: string | null;
  queue: string | null;
  created_at: string;
  expires_at: string;
  answered_at: string | null;
  /** The QuestionnaireResponse id, once answered. */
  response_id: string | null;
  /** JSON `SurveyAnswers`, once answered. */
  answers: string | null;
  csat: number | null;
  nps: number | null;
}

/** An agent's skills (JSON array) and capacity for routing (migration 008). */
export interface AgentRoutingProfileTable {
  user_id: string;
  skills: string;
  capacity: number;
  updated_at: string;
  updated_by: string | null;
}

/** A durable job (migration 009); `platform/jobs` owns the reads and writes. */
export interface JobTable {
  id: string;
  /** The queue name: which registered handler runs it (`surveys.send`, `reminders.appointment`). */
  type: string;
  /** JSON, checked against the handler's schema before each attempt. */
  payload: string;
  state: 'queued' | 'running' | 'succeeded' | 'dead';
  /** Attempts started so far, counted at claim time (a crash mid-attempt still counts). */
  attempts: number;
  max_attempts: number;
  /** Not claimed before this instant (the next retry, or a scheduled send). */
  run_at: string;
  lease_owner: string | null;
  lease_expires_at: string | null;
  last_error: string | null;
  idempotency_key: string | null;
  /** JSON the handler returned, once succeeded. */
  result: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export interface ClinicSettingTable {
  section: string;
  /** JSON, validated by the section's schema (contracts/clinic-settings.ts). */
  value: string;
  version: number;
  updated_at: string;
  updated_by: string | null;
}

export interface PersonalQuickRepliesTable {
  user_id: string;
  /** JSON array, validated by `personalQuickRepliesSchema`. */
  replies: string;
  updated_at: string;
}

export interface ConversationIdentityTable {
  conversation_id: string;
  patient_id: string | null;
  method: string | null;
  /** JSON array of the details that matched. */
  factors: Generated<string>;
  verified_by: string | null;
  verified_at: string | null;
  failed_attempts: Generated<number>;
}

/** A hold on an appointment slot (scheduling): one per slot, live until `expires_at`. */
export interface SlotHoldTable {
  id: string;
  slot_id: string;
  holder_id: string;
  holder_role: string;
  created_at: string;
  expires_at: string;
}

export interface AgentScriptTable {
  id: string;
  file: string | null;
  file_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface AgentScriptVersionTable {
  script_id: string;
  version: number;
  /** draft | published | retired */
  status: string;
  /** file | editor | rollback */
  origin: string;
  restored_from: number | null;
  source: string;
  /** JSON, validated by `agentScriptSchema` (contracts/agent-scripts.ts). */
  definition: string;
  created_by: string | null;
  created_at: string;
  published_at: string | null;
}

export interface AgentScriptRunTable {
  conversation_id: string;
  script_id: string;
  version: number;
  /** auto | agent */
  chosen_by: string;
  chosen_by_user: string | null;
  reason: string;
  /** JSON: plan step id → { value, by, at }. */
  answers: Generated<string>;
  /** JSON: plan step id → { by, at }. */
  completed: Generated<string>;
  created_at: string;
  updated_at: string;
}

/** Knowledge articles (migration 018): which version is published and which is the latest. */
export interface KnowledgeArticleTable {
  id: string;
  /** The article's rowid in the search index. */
  seq: number;
  published_version: number | null;
  latest_version: number;
  /** The knowledge-base/ file it was imported from, if any, and the hash of what was last imported. */
  source_file: string | null;
  file_hash: string | null;
  created_at: string;
  updated_at: string;
}

/** Every version of every article; tags and conditions as JSON arrays. */
export interface KnowledgeVersionTable {
  article_id: string;
  version: number;
  status: string;
  title: string;
  summary: string;
  audience: string;
  category: string;
  tags: string;
  conditions: string;
  language: string;
  translation_of: string | null;
  review_date: string;
  owner: string;
  body: string;
  source: string;
  restored_from: number | null;
  created_at: string;
  created_by: string | null;
  updated_at: string;
  published_at: string | null;
  published_by: string | null;
}

/** Health-bot scenarios (migration 020). */
export interface BotScenarioTable {
  id: string;
  trigger: string;
  name: string;
  description: string;
  active: number;
  /** import | builtin | authored */
  origin: string;
  /** JSON: the export's fields kept for the round trip. */
  export_meta: string;
  created_at: string;
  updated_at: string;
}

export interface BotScenarioVersionTable {
  scenario_id: string;
  version: number;
  /** draft | published | retired */
  status: string;
  /** JSON: the Azure Health Bot `code` object as imported or saved. */
  code: string;
  created_by: string | null;
  created_at: string;
  published_at: string | null;
}

export interface BotStringTable {
  locale: string;
  key: string;
  value: string;
  updated_at: string;
}

export interface BotSessionTable {
  conversation_id: string;
  /** JSON `SessionState` (bot/state.ts). */
  state: string;
  turns: number;
  updated_at: string;
}

export interface BotUserVarsTable {
  user_key: string;
  vars: string;
  updated_at: string;
}

export interface BotGlobalTable {
  key: string;
  value: string;
  updated_at: string;
}

/** The insights event log (migration 025), append-only. */
export interface InsightEventTable {
  seq: Generated<number>;
  type: string;
  conversation_id: string;
  at: string;
  /** The clinic's calendar day of `at` (YYYY-MM-DD, CLINIC_TIME_ZONE). */
  day: string;
  channel: string | null;
  queue: string | null;
  agent_id: string | null;
  value: number | null;
  value2: number | null;
  /** JSON details of the event, or null. */
  data: string | null;
  /** 1 for rows the demo seeding generated. */
  synthetic: Generated<number>;
}

export interface Database {
  insight_events: InsightEventTable;
  bot_scenarios: BotScenarioTable;
  bot_scenario_versions: BotScenarioVersionTable;
  bot_strings: BotStringTable;
  bot_sessions: BotSessionTable;
  bot_user_vars: BotUserVarsTable;
  bot_globals: BotGlobalTable;
  knowledge_articles: KnowledgeArticleTable;
  knowledge_versions: KnowledgeVersionTable;
  agent_scripts: AgentScriptTable;
  agent_script_versions: AgentScriptVersionTable;
  agent_script_runs: AgentScriptRunTable;
  clinic_settings: ClinicSettingTable;
  conversation_identity: ConversationIdentityTable;
  personal_quick_replies: PersonalQuickRepliesTable;
  slot_holds: SlotHoldTable;
  resources: ResourceTable;
  resource_history: ResourceHistoryTable;
  search_token: SearchTokenTable;
  search_string: SearchStringTable;
  search_reference: SearchReferenceTable;
  search_date: SearchDateTable;
  users: UserTable;
  refresh_tokens: RefreshTokenTable;
  audit_log: AuditLogTable;
  meta: MetaTable;
  conversations: ConversationTable;
  conversation_participants: ConversationParticipantTable;
  conversation_messages: ConversationMessageTable;
  conversation_receipts: ConversationReceiptTable;
  attachments: AttachmentTable;
  survey_offers: SurveyOfferTable;
  agent_routing_profiles: AgentRoutingProfileTable;
  conversation_wrapups: ConversationWrapupTable;
  jobs: JobTable;
  sentiment_message_scores: SentimentMessageScoreTable;
  sentiment_conversations: SentimentConversationTable;
}

/** A scored patient message (migration 026; server/src/sentiment). */
export interface SentimentMessageScoreTable {
  message_id: string;
  conversation_id: string;
  seq: number;
  at: string;
  score: number;
  scale: number;
  label: string;
  /** JSON array of flags. */
  flags: string;
  /** `local` or `azure`. */
  provider: string;
  /** 0 for flagged texts (empty, binary, unsupported language): not part of the conversation's value. */
  evidence: number;
  /** Azure AI Language's part: null (not configured), 'pending', 'done', 'failed'. */
  azure: string | null;
  conversation_score: number;
  conversation_scale: number;
  conversation_messages: number;
  /** The conversation's scale before this message, when this message lowered it. */
  drop_from: number | null;
  scored_at: string;
}

/** A conversation's current sentiment (migration 026). */
export interface SentimentConversationTable {
  conversation_id: string;
  score: number;
  scale: number;
  messages: number;
  last_message_id: string;
  /** 1 while the next fall to the alert scale alerts. */
  alert_armed: number;
  updated_at: string;
}
