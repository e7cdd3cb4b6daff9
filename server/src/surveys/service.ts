/**
 * Follow-up surveys after a live chat. When a conversation an agent took part in reaches wrap-up or
 * closed (whichever comes first) and its queue is not opted out, the service creates a single-use
 * token (only its SHA-256 is stored; valid 7 days), records the offer, publishes `survey.offered` (the
 * module's listener sends `survey:offer` to the patient's chat) and posts a system line without the
 * link (a transcript is no place for a credential); a patient who comes back later asks for a fresh
 * link with `survey:pending`. Answers, from the chat or the link, are checked
 * against the definition and stored as a FHIR QuestionnaireResponse (the definition as a
 * Questionnaire); supervisors list them with CSAT and NPS per agent and per queue.
 *
 * Errors are `AppError`s (404 unknown token, 410 expired, 409 answered, 400 bad answers); the socket
 * handler turns them into error acknowledgements.
 */
import { createHash, randomBytes } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type {
  SurveyAnswers,
  SurveyByTokenResponse,
  SurveyDefinition,
  SurveyOffer,
  SurveyResponsesResponse,
  SurveyResponseView,
} from '../contracts/surveys.js';
import type { ConversationsApi } from '../conversations/index.js';
import type { AuditLog } from '../platform/audit/audit.js';
import type { Actor } from '../platform/auth/actor.js';
import type { Logger } from '../platform/logging.js';
import type { Database } from '../platform/db/schema.js';
import { inTransaction } from '../platform/db/index.js';
import { AppError, conflict, forbidden, notFound, validationFailed } from '../platform/errors.js';
import type { SystemFhir } from '../fhir/index.js';
import { listen, type EventPublisher, type ListenerRegistration } from '../platform/events.js';
import {
  answerProblems,
  normalizeAnswers,
  questionnaireRef,
  scoresOf,
  toQuestionnaire,
  toQuestionnaireResponse,
  type QuestionnaireRef,
} from './definition.js';
import { SurveyRepository, type ScoreGroup, type SurveyOfferRow } from './repository.js';

export const SURVEY_TOKEN_TTL_MS = 7 * 24 * 3600_000;
/** States after which the patient is asked; the first one reached triggers the survey. */
const SURVEY_STATES: ReadonlySet<string> = new Set(['wrapup', 'closed']);
const PATIENT_KINDS: ReadonlySet<string> = new Set(['patient', 'visitor']);
/** The chat line that tells everyone a survey went to the patient (the link itself goes to the patient only). */
export const SURVEY_SENT_LINE = 'We sent you a short survey about this chat: it takes a minute and helps us do better.';

export const hashSurveyToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Who sent the answers, for the audit row: a signed-in patient or visitor in the chat, or someone holding the link. */
export type SurveySubmitter = { via: 'chat'; userId: string; role: 'patient' | 'visitor' } | { via: 'link' };

declare module '../platform/events.js' {
  interface DomainEvents {
    /** For the patient's sockets in the conversation's room. */
    'survey.offered': SurveyOffer;
    /** Answers were stored (insights records CSAT and NPS). */
    'survey.answered': { conversationId: string; agentId: string | null; queue: string | null; csat: number | null; nps: number | null; at: string };
  }
}

export interface SurveyServiceDeps {
  sqlite: SQLite.Database;
  db: Kysely<Database>;
  conversations: Pick<ConversationsApi['core'], 'get' | 'participantHistory' | 'postSystemMessage'>;
  fhir: Pick<SystemFhir, 'exists' | 'write'>;
  events: EventPublisher;
  audit: AuditLog;
  logger: Logger;
  definition: SurveyDefinition;
  /** Whether this staff member may read the conversation in history (conversations decide). */
  mayReadConversation: (actor: Actor, conversationId: string) => boolean;
  /** Base of the link, e.g. `https://clinic.example` (PUBLIC_URL). */
  publicUrl: string;
  tokenTtlMs?: number;
  now?: () => Date;
}

export class SurveyService {
  private readonly repo: SurveyRepository;
  private ref: QuestionnaireRef;
  private questionnaireStored = false;
  private readonly now: () => Date;

  /** The survey in force (an admin may replace it: `updateDefinition`). */
  private current: SurveyDefinition;

  constructor(private readonly deps: SurveyServiceDeps) {
    this.repo = new SurveyRepository(deps.sqlite, deps.db);
    this.current = deps.definition;
    this.ref = questionnaireRef(deps.definition);
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * A chat that ended with an agent gets its survey. The bus dispatches this after the transition's
   * own events (published as one batch), so the survey's chat line follows the closing line.
   */
  listener(): ListenerRegistration {
    return listen('conversation.updated', 'surveys', ({ conversation }) => {
      if (!SURVEY_STATES.has(conversation.state)) return;
      try {
        this.offerAfterChat(conversation.id);
      } catch (err) {
        this.deps.logger.error({ err, conversationId: conversation.id }, 'could not offer the follow-up survey');
      }
    });
  }

  get definition(): SurveyDefinition {
    return this.current;
  }

  /**
   * A new survey from now on: offers made from now use it, and it is stored as a new Questionnaire
   * version (its version is a hash of the definition) before the first answer to it.
   */
  updateDefinition(next: SurveyDefinition): void {
    this.current = next;
    this.ref = questionnaireRef(next);
    this.questionnaireStored = false;
  }

  /** The Questionnaire the answers point at (`url|version`). */
  get questionnaire(): QuestionnaireRef {
    return this.ref;
  }

  /**
   * Offers the survey for a conversation that has ended, if it is due: an agent took part, a
   * patient or visitor is there to answer, the queue is not opted out, and no survey was offered
   * yet. Returns the offer, or undefined when none is due.
   */
  offerAfterChat(conversationId: string): SurveyOffer | undefined {
    const conversation = this.deps.conversations.get(conversationId);
    if (!conversation || !SURVEY_STATES.has(conversation.state)) return undefined;
    if (conversation.queue !== null && this.current.optOutQueues.includes(conversation.queue)) return undefined;
    if (this.repo.offerFor(conversationId)) return undefined;
    const participants = this.deps.conversations.participantHistory(conversationId);
    if (!participants.some((p) => PATIENT_KINDS.has(p.kind))) return undefined;
    // The agent who owns it now; else (e.g. it went back to a queue and then closed) the last agent in it.
    const agentId = conversation.agent_id ?? agentOf(participants);
    if (agentId === null) return undefined;

    const token = randomBytes(32).toString('base64url');
    const created = this.now();
    const stored = this.repo.insertOffer({
      conversationId,
      tokenHash: hashSurveyToken(token),
      surveyId: this.current.id,
      patientId: conversation.patient_id,
      agentId,
      queue: conversation.queue,
      createdAt: created.toISOString(),
      expiresAt: new Date(created.getTime() + (this.deps.tokenTtlMs ?? SURVEY_TOKEN_TTL_MS)).toISOString(),
    });
    if (!stored) return undefined;
    this.ensureQuestionnaire(created.toISOString());
    const offer = this.offerWith(conversationId, token);
    this.deps.events.publish('survey.offered', offer);
    // Everyone in the chat reads this line, staff too: it names no link (the token is the patient's alone).
    this.deps.conversations.postSystemMessage(conversationId, SURVEY_SENT_LINE);
    this.deps.logger.info({ conversationId, agentId, queue: conversation.queue }, 'follow-up survey offered');
    return offer;
  }

  /**
   * The survey still open for the patient or visitor of a conversation (e.g. after they come back on
   * another device), with a fresh link: the previous one stops working. Null when none is open (not
   * offered, answered or expired); 404 unknown conversation, 403 not the patient of it.
   */
  pendingFor(userId: string, conversationId: string): SurveyOffer | null {
    if (!this.deps.conversations.get(conversationId)) throw notFound(`Conversation ${conversationId} not found.`);
    const participants = this.deps.conversations.participantHistory(conversationId);
    if (!participants.some((p) => p.userId === userId && PATIENT_KINDS.has(p.kind))) throw forbidden('Only the patient of this conversation can answer its survey.');
    const offer = this.repo.offerFor(conversationId);
    if (!offer || offer.answered_at !== null || Date.parse(offer.expires_at) <= this.now().getTime()) return null;
    const token = randomBytes(32).toString('base64url');
    if (!this.repo.rotateToken(conversationId, hashSurveyToken(token))) return null;
    return this.offerWith(conversationId, token);
  }

  private offerWith(conversationId: string, token: string): SurveyOffer {
    return { conversationId, token, url: `${this.deps.publicUrl.replace(/\/+$/, '')}/survey/${token}`, survey: this.publicSurvey() };
  }

  /** What the link shows: 404 unknown token, 410 expired (unless already answered). */
  byToken(token: string): SurveyByTokenResponse {
    const offer = this.offerByToken(token);
    if (offer.answered_at === null) this.assertNotExpired(offer);
    return { conversationId: offer.conversation_id, survey: this.publicSurvey(), answered: offer.answered_at !== null };
  }

  /**
   * Stores an answer set: 404 unknown token, 409 already answered, 410 expired, 400 answers that do
   * not fit the survey. The QuestionnaireResponse and the claimed offer are written in one transaction.
   */
  submit(token: string, rawAnswers: SurveyAnswers, submitter: SurveySubmitter): { id: string } {
    const offer = this.offerByToken(token);
    if (offer.answered_at !== null) throw conflict('This survey has already been answered. Thank you!');
    this.assertNotExpired(offer);
    const survey = this.current;
    const problems = answerProblems(survey, rawAnswers);
    if (problems.length > 0) {
      const first = problems[0]!;
      throw validationFailed(`Invalid answers: ${first.questionId} ${first.message}`, {
        issues: problems.map((p) => ({ path: `answers.${p.questionId}`, message: p.message })),
      });
    }
    const answers = normalizeAnswers(rawAnswers);
    const authored = this.now().toISOString();
    this.ensureQuestionnaire(authored);
    const response = toQuestionnaireResponse(survey, this.ref, answers, {
      conversationId: offer.conversation_id,
      agentId: offer.agent_id,
      queue: offer.queue,
      patientId: offer.patient_id,
      authored,
    });
    const { csat, nps } = scoresOf(survey, answers);
    inTransaction(this.deps.sqlite, () => {
      if (!this.repo.markAnswered(offer.token_hash, { at: authored, responseId: response.id, answers: JSON.stringify(answers), csat, nps })) {
        throw conflict('This survey has already been answered. Thank you!');
      }
      this.deps.fhir.write(response, {
        now: authored,
        audit:
          offer.patient_id === null
            ? null
            : {
                actorId: submitter.via === 'chat' ? submitter.userId : null,
                actorRole: submitter.via === 'chat' ? submitter.role : null,
                action: 'phi.write',
                resourceType: 'QuestionnaireResponse',
                resourceId: response.id,
                patientId: offer.patient_id,
                reason: 'follow-up survey',
                details: { via: submitter.via, conversationId: offer.conversation_id },
              },
      });
    });
    this.deps.events.publish('survey.answered', { conversationId: offer.conversation_id, agentId: offer.agent_id, queue: offer.queue, csat, nps, at: authored });
    return { id: response.id };
  }

  /**
   * The survey of one conversation, for staff reading it back in history: whether one was offered
   * and the answers if given. Refused (forbidden) to whoever may not read the conversation; an
   * answered survey of a signed-in patient is a `phi.read` audit row.
   */
  forConversation(actor: Actor, conversationId: string): { offered: boolean; response: SurveyResponseView | null } {
    if (!this.deps.conversations.get(conversationId)) throw notFound('Conversation', conversationId);
    if (!this.deps.mayReadConversation(actor, conversationId)) throw forbidden('You may not read this conversation.');
    const offer = this.repo.offerFor(conversationId);
    if (!offer) return { offered: false, response: null };
    if (!offer.answered_at || !offer.response_id) return { offered: true, response: null };
    if (offer.patient_id !== null) {
      this.deps.audit.record({
        actorId: actor.userId,
        actorRole: actor.kind === 'staff' ? actor.role : actor.kind,
        action: 'phi.read',
        resourceType: 'QuestionnaireResponse',
        resourceId: offer.response_id,
        patientId: offer.patient_id,
        reason: 'conversation history',
        details: { conversationId },
      });
    }
    return { offered: true, response: toResponseView(offer) };
  }

  /** Answered surveys for supervisors, newest first, with CSAT and NPS overall, per agent and per queue. */
  async responses(
    reader: { userId: string; role: string },
    query: { agentId?: string | undefined; queue?: string | undefined; limit: number },
  ): Promise<SurveyResponsesResponse> {
    const filter = { agentId: query.agentId, queue: query.queue };
    const [rows, [overall], byAgent, byQueue] = await Promise.all([
      this.repo.listAnswered(filter, query.limit),
      this.repo.scores(filter),
      this.repo.scores(filter, 'agent_id'),
      this.repo.scores(filter, 'queue'),
    ]);
    const items = rows.map(toResponseView);
    // Free-text answers about a signed-in patient's chat are PHI: one audit row per patient shown.
    const patients = new Map<string, string[]>();
    for (const row of rows) if (row.patient_id !== null) patients.set(row.patient_id, [...(patients.get(row.patient_id) ?? []), row.response_id!]);
    if (patients.size > 0) {
      inTransaction(this.deps.sqlite, () => {
        for (const [patientId, responseIds] of patients) {
          this.deps.audit.record({
            actorId: reader.userId,
            actorRole: reader.role,
            action: 'phi.read',
            resourceType: 'QuestionnaireResponse',
            patientId,
            reason: 'survey results review',
            details: { responses: responseIds },
          });
        }
      });
    }
    const summary = (g: ScoreGroup | undefined) => ({
      count: g?.count ?? 0,
      csatAverage: g?.csatAverage === null || g?.csatAverage === undefined ? null : round(g.csatAverage, 2),
      nps: g && g.npsCount > 0 ? round(((g.promoters - g.detractors) / g.npsCount) * 100, 1) : null,
    });
    return {
      items,
      summary: {
        ...summary(overall),
        byAgent: byAgent.map((g) => ({ agentId: g.key!, ...summary(g) })),
        byQueue: byQueue.map((g) => ({ queue: g.key!, ...summary(g) })),
      },
    };
  }

  // --- internals ---

  private publicSurvey(): SurveyOffer['survey'] {
    const { id, title, questions } = this.current;
    return { id, title, questions };
  }

  private offerByToken(token: string): SurveyOfferRow {
    const offer = this.repo.byTokenHash(hashSurveyToken(token));
    // The same answer for a token that never existed and one of another survey: nothing to learn.
    if (!offer) throw notFound('Survey');
    return offer;
  }

  private assertNotExpired(offer: SurveyOfferRow): void {
    if (Date.parse(offer.expires_at) <= this.now().getTime()) {
      throw new AppError('survey_expired', 'This survey link has expired.');
    }
  }

  /** Stores the Questionnaire for the current definition once (its id is derived from url and version). */
  private ensureQuestionnaire(date: string): void {
    if (this.questionnaireStored) return;
    if (!this.deps.fhir.exists('Questionnaire', this.ref.id)) {
      this.deps.fhir.write(toQuestionnaire(this.current, this.ref, date), { audit: null });
    }
    this.questionnaireStored = true;
  }

}

/** The agent the chat ended with: a current agent participant (latest to join), else the last one who left. */
function agentOf(participants: { userId: string; kind: string; leftAt: string | null; joinedAt: string }[]): string | null {
  const agents = participants.filter((p) => p.kind === 'agent');
  const current = agents.filter((p) => p.leftAt === null).sort((a, b) => b.joinedAt.localeCompare(a.joinedAt));
  if (current[0]) return current[0].userId;
  const departed = agents.sort((a, b) => (b.leftAt ?? '').localeCompare(a.leftAt ?? ''));
  return departed[0]?.userId ?? null;
}

function toResponseView(row: SurveyOfferRow): SurveyResponseView {
  return {
    id: row.response_id!,
    conversationId: row.conversation_id,
    agentId: row.agent_id,
    queue: row.queue,
    submittedAt: row.answered_at!,
    answers: JSON.parse(row.answers ?? '{}') as SurveyAnswers,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
