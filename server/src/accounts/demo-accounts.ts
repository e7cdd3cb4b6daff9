/** Demo accounts for demo mode. (Being built.) */
import type { AppContext } from '../app.js';

export async function ensureDemoAccounts(_ctx: AppContext): Promise<void> {}
