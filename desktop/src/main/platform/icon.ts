/** The placeholder mark (teal square, white cross) as a 32 px PNG for the tray and the taskbar overlay. */
export const TRAY_ICON_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAYAAABzenr0AAAAY0lEQVR42mNgIAB4p3T8pwQzkAootZAiB9HacryOoJflWB1Bb8sxHDGkHEAIDD0HkBps1HQA2BGjDhi0DqA2GHXAqANGHTD0HDBaEo4cB4y2iEZbxYOiYzIoumaDonM6EN1zAN7hv2g9DCl6AAAAAElFTkSuQmCC';
