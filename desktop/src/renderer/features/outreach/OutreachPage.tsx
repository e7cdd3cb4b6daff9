import { WorkspacePlaceholder } from '../../common/WorkspacePlaceholder.js';

export default function OutreachPage() {
  return <WorkspacePlaceholder title="Outreach" purpose="Plan segments, journeys and campaigns that reach patients." arrivesWith="patient outreach" />;
}
