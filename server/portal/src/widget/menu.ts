/**
 * Quick replies from a bot message: a run of numbered lines ("1. Appointments") becomes buttons that
 * send the option's words ("Appointments"), which the transcript then shows as what the patient
 * chose (the bot understands the words as well as the number). Pure; DOM-free.
 */
export interface MenuOption {
  /** What the button sends: the option's own words. */
  reply: string;
  /** The option's number in the menu. */
  number: string;
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
      run.push(option(match[1]!, match[2]!));
    } else {
      if (run.length > best.length) best = run;
      run = match && match[1] === '1' ? [option('1', match[2]!)] : [];
    }
  }
  if (run.length > best.length) best = run;
  return best.length >= 2 ? best : [];
}

function option(number: string, text: string): MenuOption {
  const label = text.trim();
  return { reply: label, number, label };
}
