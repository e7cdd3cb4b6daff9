/** The health library: an article page at `/portal/#/library/<id>` (what a chat card's "Read the article" opens). */
export { LibraryPage } from './LibraryPage.js';
