/**
 * The one metro area every synthetic patient and clinic lives in: Denver, Colorado. Real city
 * names, ZIP codes, street names, area codes and approximate coordinates; street numbers are made
 * up. Phone numbers use the 555 exchange and e-mail addresses the example.* domains, so nothing
 * the outreach channels send can reach a real person.
 */
export const METRO = {
  name: 'Denver–Aurora–Lakewood, CO',
  state: 'CO',
  country: 'US',
  areaCodes: ['303', '720'],
  /** America/Denver. */
  timeZone: 'America/Denver',
} as const;

export interface MetroCity {
  city: string;
  zips: readonly string[];
  latitude: number;
  longitude: number;
  /** Share of the panel living here. */
  weight: number;
}

export const CITIES: readonly MetroCity[] = [
  {
    city: 'Denver',
    zips: ['80202', '80203', '80204', '80205', '80206', '80207', '80209', '80210', '80211', '80212', '80218', '80219', '80220', '80222', '80223', '80224', '80230', '80231', '80236', '80237', '80238', '80239', '80246', '80247', '80249'],
    latitude: 39.7392,
    longitude: -104.9903,
    weight: 38,
  },
  { city: 'Aurora', zips: ['80010', '80011', '80012', '80013', '80014', '80015', '80016', '80017'], latitude: 39.7294, longitude: -104.8319, weight: 16 },
  { city: 'Lakewood', zips: ['80214', '80215', '80226', '80227', '80228', '80232'], latitude: 39.7047, longitude: -105.0814, weight: 8 },
  { city: 'Arvada', zips: ['80002', '80003', '80004', '80005'], latitude: 39.8028, longitude: -105.0875, weight: 6 },
  { city: 'Westminster', zips: ['80030', '80031', '80234'], latitude: 39.8367, longitude: -105.0372, weight: 6 },
  { city: 'Thornton', zips: ['80229', '80233', '80241', '80260'], latitude: 39.868, longitude: -104.9719, weight: 6 },
  { city: 'Littleton', zips: ['80120', '80121', '80123', '80127', '80128'], latitude: 39.6133, longitude: -105.0166, weight: 5 },
  { city: 'Centennial', zips: ['80111', '80112', '80122'], latitude: 39.5807, longitude: -104.8772, weight: 5 },
  { city: 'Englewood', zips: ['80110', '80113'], latitude: 39.6478, longitude: -104.9878, weight: 3 },
  { city: 'Commerce City', zips: ['80022'], latitude: 39.8083, longitude: -104.9339, weight: 3 },
  { city: 'Wheat Ridge', zips: ['80033'], latitude: 39.7661, longitude: -105.0772, weight: 2 },
  { city: 'Broomfield', zips: ['80020', '80023'], latitude: 39.9205, longitude: -105.0867, weight: 2 },
];

export const STREETS: readonly string[] = [
  'E Colfax Ave', 'W Colfax Ave', 'Federal Blvd', 'Sheridan Blvd', 'Wadsworth Blvd', 'S Colorado Blvd',
  'N Quebec St', 'S Havana St', 'Peoria St', 'E Alameda Ave', 'W Alameda Ave', 'E Mississippi Ave',
  'E Evans Ave', 'W Evans Ave', 'E Yale Ave', 'E Hampden Ave', 'W Belleview Ave', 'Speer Blvd',
  'N Downing St', 'York St', 'Josephine St', 'Monaco Pkwy', 'Holly St', 'Krameria St', 'Tennyson St',
  'Lowell Blvd', 'Zuni St', 'Pecos St', 'S Washington St', 'Logan St', 'S Pearl St', 'Clarkson St',
  'Emerson St', 'Ogden St', 'Gilpin St', 'Franklin St', 'Race St', 'Vine St', 'Milwaukee St', 'Elm St',
  'Dahlia St', 'Xenia St', 'S Ulster St', 'Chambers Rd', 'S Buckley Rd', 'E Iliff Ave', 'E Jewell Ave',
  'E Florida Ave', 'W Louisiana Ave', 'E Kentucky Ave', 'E Virginia Ave', 'E Bayaud Ave', 'E Ellsworth Ave',
  'E Cedar Ave', 'E Exposition Ave', 'W Dakota Ave', 'E 17th Ave', 'W 26th Ave', 'W 32nd Ave', 'W 38th Ave',
  'W 44th Ave', 'E 52nd Ave', 'W 64th Ave', 'W 72nd Ave', 'W 88th Ave', 'E 104th Ave', 'W 120th Ave',
  'W Bowles Ave', 'E Dry Creek Rd', 'E Arapahoe Rd', 'E Orchard Rd', 'S Broadway', 'S University Blvd',
  'Kipling St', 'Ward Rd', 'Pierce St', 'Harlan St', 'Garrison St', 'Yosemite St', 'Tower Rd',
];

export interface ClinicSite {
  /** Short code, used in the location identifier. */
  code: string;
  name: string;
  line: string;
  city: string;
  postalCode: string;
  latitude: number;
  longitude: number;
  /** Last four digits of the main number, in the fictional 555-01xx range. */
  phone: string;
  kind: 'clinic' | 'lab' | 'virtual';
  saturday: boolean;
}

export const CLINIC_SITES: readonly ClinicSite[] = [
  { code: 'CAP', name: 'Carebridge Capitol Hill Clinic', line: '1450 E Colfax Ave', city: 'Denver', postalCode: '80218', latitude: 39.7402, longitude: -104.9717, phone: '0101', kind: 'clinic', saturday: true },
  { code: 'HIG', name: 'Carebridge Highlands Clinic', line: '3210 W 32nd Ave', city: 'Denver', postalCode: '80211', latitude: 39.7622, longitude: -105.0288, phone: '0102', kind: 'clinic', saturday: false },
  { code: 'AUR', name: 'Carebridge Aurora Clinic', line: '14200 E Alameda Ave', city: 'Aurora', postalCode: '80012', latitude: 39.7108, longitude: -104.8236, phone: '0103', kind: 'clinic', saturday: true },
  { code: 'LAK', name: 'Carebridge Lakewood Clinic', line: '7600 W Alameda Ave', city: 'Lakewood', postalCode: '80226', latitude: 39.711, longitude: -105.082, phone: '0104', kind: 'clinic', saturday: false },
  { code: 'LIT', name: 'Carebridge Littleton Clinic', line: '2500 W Main St', city: 'Littleton', postalCode: '80120', latitude: 39.6133, longitude: -105.0166, phone: '0105', kind: 'clinic', saturday: false },
  { code: 'WES', name: 'Carebridge Westminster Clinic', line: '9100 Sheridan Blvd', city: 'Westminster', postalCode: '80031', latitude: 39.86, longitude: -105.0531, phone: '0106', kind: 'clinic', saturday: false },
  { code: 'THO', name: 'Carebridge Thornton Clinic', line: '9900 Grant St', city: 'Thornton', postalCode: '80229', latitude: 39.878, longitude: -104.983, phone: '0107', kind: 'clinic', saturday: true },
  { code: 'CEN', name: 'Carebridge Centennial Clinic', line: '7400 S University Blvd', city: 'Centennial', postalCode: '80122', latitude: 39.583, longitude: -104.959, phone: '0108', kind: 'clinic', saturday: false },
  { code: 'MON', name: 'Carebridge Montbello Clinic', line: '4800 Peoria St', city: 'Denver', postalCode: '80239', latitude: 39.784, longitude: -104.847, phone: '0109', kind: 'clinic', saturday: false },
  { code: 'LAB', name: 'Carebridge Central Laboratory', line: '1800 Broadway', city: 'Denver', postalCode: '80202', latitude: 39.745, longitude: -104.9875, phone: '0110', kind: 'lab', saturday: true },
  { code: 'VIR', name: 'Carebridge Virtual Care', line: '1450 E Colfax Ave', city: 'Denver', postalCode: '80218', latitude: 39.7402, longitude: -104.9717, phone: '0111', kind: 'virtual', saturday: false },
];

/** Denver's UTC offset in hours on a given UTC day (US rules: 2nd Sunday of March to 1st Sunday of November). */
export function denverUtcOffsetHours(utcMillis: number): number {
  const d = new Date(utcMillis);
  const year = d.getUTCFullYear();
  const dstStart = Date.UTC(year, 2, nthSunday(year, 2, 2), 9); // 02:00 MST = 09:00 UTC
  const dstEnd = Date.UTC(year, 10, nthSunday(year, 10, 1), 8); // 02:00 MDT = 08:00 UTC
  return utcMillis >= dstStart && utcMillis < dstEnd ? -6 : -7;
}

function nthSunday(year: number, month: number, n: number): number {
  const firstDay = new Date(Date.UTC(year, month, 1)).getUTCDay();
  return 1 + ((7 - firstDay) % 7) + (n - 1) * 7;
}

const DAY_MS = 86_400_000;

/**
 * The local Denver date-time `minutes` after local midnight of the calendar day `dayMillis`
 * (a UTC midnight), as an ISO string with the local offset, e.g. `2026-12-01T09:20:00-07:00`.
 */
export function denverDateTime(dayMillis: number, minutes: number): string {
  const day = Math.floor(dayMillis / DAY_MS) * DAY_MS;
  const offset = denverUtcOffsetHours(day + 12 * 3_600_000);
  const local = new Date(day + minutes * 60_000);
  const sign = offset < 0 ? '-' : '+';
  const hh = String(Math.abs(offset)).padStart(2, '0');
  return `${local.toISOString().slice(0, 19)}${sign}${hh}:00`;
}
