/**
 * The public door of features/patients: the conversation view's Patient panel (verify the caller,
 * then their patient 360) and the Patients workspace (open a record outside a conversation, with a
 * reason).
 */
import { lazy } from 'react';

/** Context panel (app/context-panels.ts), in a chunk of its own. */
export const Patient360Panel = lazy(() => import('./Patient360Panel.js'));
/** The workspace page (app/workspaces.ts). */
export const PatientsPage = lazy(() => import('./PatientsPage.js'));
/** Who the patient in a conversation is (one cache for every panel that must wait for verification). */
export { useGetIdentityQuery } from './patients-api.js';
/** Loading and error states of that identity, the identity to its children once known. */
export { IdentityGate } from './IdentityGate.js';
