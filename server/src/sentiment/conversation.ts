/**
 * A conversation's sentiment from its patient messages, and when it alerts. Pure.
 *
 * The value is the weighted mean of the scores of the conversation's last 6 patient messages that
 * carry evidence (flagged texts — empty, binary, another language — are left out), weights 1 … 6
 * from the oldest to the newest: the newest message counts six times the oldest, so a patient who
 * turns angry moves the value within two or three messages, and one calm "ok" after a complaint
 * does not wipe it out. The scale and label follow from that mean as for one message.
 */
import type { ConversationSentiment } from '../contracts/sentiment.js';
import { labelOfScale, scaleOf, type ScaleThresholds } from './model.js';

export const CONVERSATION_WINDOW = 6;

/** `scores`: the evidence-carrying patient messages' scores, oldest first (only the last 6 count). */
export function conversationValue(scores: readonly number[], thresholds?: ScaleThresholds): ConversationSentiment {
  const window = scores.slice(-CONVERSATION_WINDOW);
  if (window.length === 0) return { scale: 4, label: 'neutral', score: 0, messages: 0 };
  let sum = 0;
  let weights = 0;
  window.forEach((score, i) => {
    const weight = i + 1;
    sum += score * weight;
    weights += weight;
  });
  const score = Math.round((sum / weights) * 1000) / 1000;
  const scale = scaleOf(score, thresholds);
  return { scale, label: labelOfScale(scale), score, messages: window.length };
}

/**
 * Alert once per crossing: an armed conversation that falls to `alertScale` or below alerts and
 * disarms; a disarmed one re-arms when it climbs back above the threshold.
 */
export function nextAlertState(armed: boolean, scale: number, alertScale: number): { alert: boolean; armed: boolean } {
  if (armed && scale <= alertScale) return { alert: true, armed: false };
  if (!armed && scale > alertScale) return { alert: false, armed: true };
  return { alert: false, armed };
}
