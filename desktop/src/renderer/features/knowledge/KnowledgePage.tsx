import { WorkspacePlaceholder } from '../../common/WorkspacePlaceholder.js';

export default function KnowledgePage() {
  return <WorkspacePlaceholder title="Knowledge" purpose="Search approved articles and answers while you help a patient." arrivesWith="the knowledge base" />;
}
