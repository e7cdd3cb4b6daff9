import { WorkspacePlaceholder } from '../../common/WorkspacePlaceholder.js';

export default function ScriptsPage() {
  return <WorkspacePlaceholder title="Scripts" purpose="Follow guided agent scripts for common requests." arrivesWith="agent scripts" />;
}
