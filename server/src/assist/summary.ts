/**
 * The wrap-up summary an agent starts from: extractive, three parts, in the conversation's own words.
 *
 * - **Reason**: what the bot handed off for (its intent and triage disposition) and the patient's most
 *   telling sentence (the one with the most content words among their first messages).
 * - **Done**: what staff did, read from the transcript — cards sent (an appointment booked or moved,
 *   an article), sentences of theirs that report an action ("I've sent the refill request"), a red
 *   flag and the escalation, a transfer.
 * - **Follow-up**: staff sentences that promise something later ("the nurse will call you back
 *   tomorrow", "expect the refund within 5 days").
 *
 * Nothing is invented: every line comes from a message. The agent edits it before closing.
 */
import type { ConversationSummary } from '../contracts/assist.js';
import type { MessageView } from '../contracts/conversations.js';
import { contentTerms } from './similar.js';

const STAFF = new Set(['agent', 'supervisor', 'consultant']);
const PATIENT = new Set(['patient', 'visitor']);
const DONE = /\b(i(?:'ve| have)?|we(?:'ve| have)?|it'?s|that'?s|you'?re|your\b.*\b(?:is|are|has been))\b.*\b(booked|scheduled|rescheduled|moved|cancell?ed|sent|submitted|requested|placed|updated|changed|reset|refunded|credited|waived|transferred|escalated|verified|confirmed|added|removed|renewed|approved|forwarded|released)\b/i;
const FOLLOW_UP = /\b(will|'ll|going to|follow[- ]?up|call (?:you )?back|get back to you|within \d+|in \d+ (?:hours?|days?|weeks?)|by (?:tomorrow|monday|tuesday|wednesday|thursday|friday|the end of)|next (?:week|few days)|expect)\b/i;
const INTENT_REASONS: Record<string, string> = {
  scheduling: 'Appointment',
  book_appointment: 'Book an appointment',
  reschedule_appointment: 'Move an appointment',
  cancel_appointment: 'Cancel an appointment',
  billing: 'Billing question',
  billing_insurance: 'Billing or insurance question',
  pharmacy: 'Prescription refill',
  medication_refill: 'Prescription refill',
  triage: 'Symptoms',
  'red-flag': 'Possible emergency',
  results: 'Test results',
  general: 'General question',
};
const MAX_LINE = 220;

function sentences(text: string): string[] {
  return text
    // Not after a title or an abbreviation ("Dr. Lee", "St. Mary's").
    .split(/(?<!\b(?:Dr|Mr|Mrs|Ms|St|Jr|Sr|Prof|vs|No|Dra|Sra)\.)(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

const clip = (s: string) => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1).trimEnd()}…` : s);

export function summarize(messages: readonly MessageView[], handoff: { intent: string; triageDisposition?: string } | null, redFlag: { findings: string[]; disposition: string } | null): ConversationSummary {
  // Reason: the hand-off's intent, and the patient's most telling sentence early on.
  const patientSentences = messages
    .filter((m) => PATIENT.has(m.sender.kind) && m.kind === 'text')
    .slice(0, 4)
    .flatMap((m) => sentences(m.body));
  let best = '';
  let bestScore = 0;
  for (const s of patientSentences) {
    const score = contentTerms(s).size;
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  const label = handoff ? (INTENT_REASONS[handoff.intent] ?? handoff.intent.replace(/[_-]/g, ' ')) : null;
  const reasonParts = [label && label.toLowerCase() !== 'general question' ? label : null, best ? `“${clip(best)}”` : null].filter(Boolean);
  const reason = reasonParts.length ? reasonParts.join(': ') : 'Not stated.';

  const done: string[] = [];
  const followUps: string[] = [];
  if (redFlag) done.push(`Red flag (${redFlag.disposition.replace(/_/g, ' ')}): ${redFlag.findings.slice(0, 4).join(', ') || 'see transcript'}; emergency advice given and escalation steps followed.`);
  for (const m of messages) {
    if (m.kind === 'card' && m.card) {
      if (m.card.type === 'appointment') done.push(`Appointment card sent: ${clip([m.card.title, m.card.subtitle].filter(Boolean).join(' — '))}.`);
      else if (m.card.type === 'article') done.push(`Article sent: ${clip(m.card.title)}.`);
      continue;
    }
    if (m.kind === 'system' && /transferred|joined as supervisor/i.test(m.body)) {
      done.push(clip(m.body));
      continue;
    }
    if (!STAFF.has(m.sender.kind) || (m.kind !== 'text' && m.kind !== 'note')) continue;
    for (const s of sentences(m.body)) {
      if (s.endsWith('?')) continue;
      if (DONE.test(s)) done.push(clip(s));
      else if (FOLLOW_UP.test(s)) followUps.push(clip(s));
    }
  }
  const unique = (list: string[]) => [...new Set(list)].slice(0, 8);
  const summary = { reason, done: unique(done), followUps: unique(followUps) };
  return { ...summary, text: summaryText(summary) };
}

export function summaryText(s: { reason: string; done: string[]; followUps: string[] }): string {
  const lines = [`Reason: ${s.reason}`];
  lines.push(s.done.length ? `Done: ${s.done.join(' ')}` : 'Done: —');
  if (s.followUps.length) lines.push(`Follow-up: ${s.followUps.join(' ')}`);
  return lines.join('\n').slice(0, 4000);
}
