/** Words for the conversation's channel, state, priority and participants, as the desk shows them. */

export const CHANNEL_LABELS: Record<string, string> = { portal: 'Portal chat', widget: 'Website chat' };

export const STATE_LABELS: Record<string, string> = {
  bot: 'With the bot',
  queued: 'Queued',
  offered: 'Offered',
  active: 'Active',
  waiting: 'Waiting',
  wrapup: 'Wrap-up',
  closed: 'Closed',
};

const PRIORITY_LABELS = ['Urgent', 'High', 'Normal', 'Low'];
export const priorityLabel = (p: number) => PRIORITY_LABELS[p] ?? `Priority ${p}`;

export const PARTICIPANT_LABELS: Record<string, string> = {
  patient: 'Patient',
  visitor: 'Visitor',
  agent: 'Agent',
  consultant: 'Consultant',
  supervisor: 'Supervisor',
  bot: 'Bot',
};
