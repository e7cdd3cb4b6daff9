/**
 * Colour contrast (WCAG 2.x relative luminance), shared by the server's widget configuration check
 * and the widget itself (for the embed's `data-accent-color`). Pure and free of zod, so the widget
 * may import it without bundling zod.
 */

/** `#rrggbb`, the one colour form the widget configuration takes. */
export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;

/** WCAG 2.x AA for normal-size text. */
export const MIN_TEXT_CONTRAST = 4.5;

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** The relative luminance of a `#rrggbb` colour (0 black … 1 white). */
export function relativeLuminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 0xff) + 0.7152 * channel((n >> 8) & 0xff) + 0.0722 * channel(n & 0xff);
}

/** The contrast ratio of two `#rrggbb` colours, 1 … 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/**
 * Why a colour cannot carry white text (the widget's header, launcher and primary buttons), or null
 * when it can: not `#rrggbb`, or below WCAG AA (4.5:1) against white.
 */
export function accentColourProblem(colour: string): string | null {
  if (!HEX_COLOUR.test(colour)) return `${JSON.stringify(colour.slice(0, 40))} is not a colour like #0b5cad`;
  const ratio = contrastRatio(colour, '#ffffff');
  if (ratio >= MIN_TEXT_CONTRAST) return null;
  return `${colour} gives white text a contrast of only ${(Math.floor(ratio * 100) / 100).toFixed(2)}:1; WCAG AA needs ${MIN_TEXT_CONTRAST}:1 — choose a darker colour`;
}
