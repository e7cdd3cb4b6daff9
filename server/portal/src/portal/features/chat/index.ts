/** Live chat inside portal pages: the chat widget, mounted inline, as a visitor or as the patient. */
export { ChatMount, type ChatIdentity } from './ChatMount.js';
