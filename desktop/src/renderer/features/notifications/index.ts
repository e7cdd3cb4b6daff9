/** The public door of features/notifications: OS notifications, only while the desk is not in front. */
export { notifyWhenAway } from './notify.js';
