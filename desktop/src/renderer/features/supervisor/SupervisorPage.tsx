import { WorkspacePlaceholder } from '../../common/WorkspacePlaceholder.js';

export default function SupervisorPage() {
  return <WorkspacePlaceholder title="Supervisor" purpose="Watch queues, agents and live conversations, and step in when needed." arrivesWith="live conversations and supervision" />;
}
