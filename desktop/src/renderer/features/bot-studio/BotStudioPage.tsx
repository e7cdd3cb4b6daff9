import { WorkspacePlaceholder } from '../../common/WorkspacePlaceholder.js';

export default function BotStudioPage() {
  return <WorkspacePlaceholder title="Bot studio" purpose="Author and test health bot scenarios." arrivesWith="the health bot scenario editor" />;
}
