/**
 * Above the transcript: a clinical red flag in the patient's words (smart assist), from the first
 * time it is seen to the end of the conversation — what to tell the patient now (call 911, call or
 * text 988), the findings, and that the nurse-escalation script was loaded. Nothing otherwise.
 */
import type { ContextPanelProps } from '../../common/context-panels.js';
import { useGetAssistQuery } from './assist-api.js';

const DISPOSITION_LABELS: Record<string, string> = {
  emergency_ambulance: 'Emergency (ambulance)',
  emergency: 'Emergency',
  consultation_24: 'Crisis: same-day care',
  consultation: 'See a clinician',
  self_care: 'Self-care',
};

export default function RedFlagBanner({ conversationId }: ContextPanelProps) {
  const { data } = useGetAssistQuery(conversationId);
  const flag = data?.update?.redFlag;
  if (!flag) return null;
  return (
    <div className="red-flag-banner" role="alert" aria-label="Red flag">
      <p>
        <strong>Red flag — {DISPOSITION_LABELS[flag.disposition] ?? flag.disposition}.</strong> {flag.instruction}
      </p>
      {flag.findings.length > 0 ? <p className="small">In the patient’s words: {flag.findings.join(', ')}.</p> : null}
      <p className="small">{flag.scriptId ? 'The nurse-escalation script is loaded in the Script panel; a supervisor was told.' : 'A supervisor was told. Follow the nurse-escalation steps.'}</p>
    </div>
  );
}
