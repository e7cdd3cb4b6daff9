/**
 * Messages left in the chat widget while every queue is closed. Each becomes a FHIR Task for the
 * team (status `requested`, intent `order`, code `OFFLINE_MESSAGE_TASK_CODE`), written through the
 * FHIR system facade with its audit row, so staff find them with
 * `GET /fhir/R4/Task?status=requested&code=urn:carebridge:task-type|chat-offline-message`.
 */
import { randomUUID } from 'node:crypto';
import type { Task, TaskInput } from '@medplum/fhirtypes';
import { OFFLINE_MESSAGE_TASK_CODE, type OfflineMessageRequest } from '../contracts/widget.js';
import type { SystemFhir } from '../fhir/index.js';
import type { RequestMeta } from '../platform/http/request-meta.js';

/** Who left the message: an anonymous visitor, or a signed-in patient (the Task is `for` them). */
export type OfflineSender = { kind: 'visitor' } | { kind: 'patient'; userId: string; patientId: string; displayName: string | null };

const INPUT_SYSTEM = 'urn:carebridge:offline-message';

const input = (code: string, text: string, valueString: string): TaskInput => ({
  type: { coding: [{ system: INPUT_SYSTEM, code }], text },
  valueString,
});

/** Pure: the Task for one offline message (the message itself in `note`, the contact in `input`). */
export function toOfflineTask(message: OfflineMessageRequest, sender: OfflineSender, id: string, authoredOn: string): Task & { id: string } {
  const name = message.name ?? (sender.kind === 'patient' ? sender.displayName : null) ?? null;
  const contact = [message.email, message.phone].filter((v): v is string => v !== undefined);
  const inputs: TaskInput[] = [];
  if (name) inputs.push(input('name', 'Name', name));
  if (message.email) inputs.push(input('email', 'E-mail', message.email));
  if (message.phone) inputs.push(input('phone', 'Phone', message.phone));
  if (message.language) inputs.push(input('language', 'Language', message.language));
  return {
    resourceType: 'Task',
    id,
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ ...OFFLINE_MESSAGE_TASK_CODE }], text: OFFLINE_MESSAGE_TASK_CODE.display },
    description: `Reply to ${name ?? 'a visitor'}${contact.length > 0 ? ` (${contact.join(', ')})` : sender.kind === 'patient' ? ' (contact details on their record)' : ''}: message left in the chat while we were closed.`,
    authoredOn,
    ...(sender.kind === 'patient'
      ? { for: { reference: `Patient/${sender.patientId}` }, requester: { reference: `Patient/${sender.patientId}` } }
      : name
        ? { requester: { display: name } }
        : {}),
    input: inputs,
    note: [{ text: message.message, time: authoredOn }],
  };
}

export class OfflineMessages {
  constructor(private readonly deps: { fhir: Pick<SystemFhir, 'write'>; now?: () => Date }) {}

  /** Stores the Task with a `phi.write` audit row (the sender's address and request id; no message text). */
  leave(message: OfflineMessageRequest, sender: OfflineSender, meta: RequestMeta): { id: string } {
    const authoredOn = (this.deps.now?.() ?? new Date()).toISOString();
    const task = toOfflineTask(message, sender, randomUUID(), authoredOn);
    this.deps.fhir.write(task, {
      now: authoredOn,
      audit: {
        actorId: sender.kind === 'patient' ? sender.userId : null,
        actorRole: sender.kind === 'patient' ? 'patient' : 'visitor',
        action: 'phi.write',
        resourceType: 'Task',
        resourceId: task.id,
        patientId: sender.kind === 'patient' ? sender.patientId : null,
        reason: 'chat offline message',
        ip: meta.ip,
        requestId: meta.requestId,
        details: { via: 'chat-offline-form', sender: sender.kind },
      },
    });
    return { id: task.id };
  }
}
