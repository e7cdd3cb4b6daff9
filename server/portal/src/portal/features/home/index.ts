/** The landing page (/portal/): chat and patient sign-in. */
export { HomePage } from './HomePage.js';
