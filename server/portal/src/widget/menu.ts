/**
 * Quick replies from a bot message: a run of numbered lines ("1. Appointments") becomes buttons that
 * send the number, as the bot asks ("Reply with a number"). Pure; DOM-free.
 */
export interface MenuOption {
  /** What the button sends: the number, as the patient would type it. */
  reply: string;
  label: string;
}

const NUMBERED_LINE = /^\s*(\d{1,2})[.)]\s+(\S.{0,79})$/;

/** The menu in a message, or [] when it has fewer than two consecutive numbered lines 1, 2, … */
export function parseMenu(body: string): MenuOption[] {
  let best: MenuOption[] = [];
  let run: MenuOption[] = [];
  for (const line of body.split(/\r?\n/)) {
    const match = NUMBERED_LINE.exec(line);
    if (match && Number(match[1]) === run.length + 1) {
      run.push({ reply: match[1]!, label: match[2]!.trim() });
    } else {
      if (run.length > best.length) best = run;
      run = match && match[1] === '1' ? [{ reply: '1', label: match[2]!.trim() }] : [];
    }
  }
  if (run.length > best.length) best = run;
  return best.length >= 2 ? best : [];
}
