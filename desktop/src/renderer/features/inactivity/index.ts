/** The public door of features/inactivity: the automatic sign-out after inactivity. */
export { InactivityGuard } from './InactivityGuard.js';
