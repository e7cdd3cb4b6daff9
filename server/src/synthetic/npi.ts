/**
 * National Provider Identifiers: 10 digits, the last a Luhn check digit computed over the
 * first nine with the card-issuer prefix 80840 in front (CMS "NPI check digit" rule).
 */

/** Luhn check digit for a digit string (the digit that would be appended). */
export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  // Double every second digit counting from the right of the payload (the rightmost is doubled,
  // because the check digit will take the rightmost position).
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** The NPI for a 9-digit base (first digit 1 or 2). */
export function npiFromBase(base: string): string {
  if (!/^[12]\d{8}$/.test(base)) throw new Error('an NPI base is 9 digits starting with 1 or 2');
  return base + String(luhnCheckDigit(`80840${base}`));
}

export function isValidNpi(npi: string): boolean {
  return /^[12]\d{9}$/.test(npi) && luhnCheckDigit(`80840${npi.slice(0, 9)}`) === Number(npi[9]);
}
