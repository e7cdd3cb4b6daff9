/**
 * Labelled queries for the knowledge-base benchmarks, typed the way patients and agents type them:
 * lay words, misspellings, synonyms, unfinished last words, Spanish. Each lists the articles that
 * answer it, graded: 3 = the article for it, 2 = answers it too, 1 = useful related reading.
 * Written by hand from the articles in knowledge-base/; never tuned to what a search returns.
 */
export interface LabelledQuery {
  q: string;
  /** The reader's language, when the query is typed in a portal or chat of that language. */
  language?: 'en' | 'es';
  /** Who types it: patients (search sees patient and both articles) or agents (everything). */
  by: 'patient' | 'agent';
  relevant: Record<string, 1 | 2 | 3>;
}

export const LABELLED_QUERIES: readonly LabelledQuery[] = [
  // Appointments
  { q: 'how do i make an appointment', by: 'patient', relevant: { 'booking-an-appointment': 3, 'same-day-and-urgent-care': 1, 'new-patient-registration': 1 } },
  { q: 'cancel my appt', by: 'patient', relevant: { 'cancelling-or-rescheduling': 3, 'agent-no-show-conversations': 1 } },
  { q: 'change appointment time', by: 'patient', relevant: { 'cancelling-or-rescheduling': 3, 'booking-an-appointment': 1 } },
  { q: 'im going to be late', by: 'patient', relevant: { 'late-arrival-policy': 3 } },
  { q: 'video visit wont connect', by: 'patient', relevant: { 'virtual-visits': 3 } },
  { q: 'telehealth', by: 'patient', relevant: { 'virtual-visits': 3, 'cancelling-or-rescheduling': 1 } },
  { q: 'what should i bring to my first visit', by: 'patient', relevant: { 'what-to-bring-to-your-visit': 3, 'new-patient-registration': 2, 'booking-an-appointment': 1 } },
  { q: 'need to see someone today', by: 'patient', relevant: { 'same-day-and-urgent-care': 3, 'booking-an-appointment': 1 } },
  { q: 'what time do you open', by: 'patient', relevant: { 'clinic-hours-and-locations': 3 } },
  { q: 'new patient', by: 'patient', relevant: { 'new-patient-registration': 3, 'booking-an-appointment': 2, 'what-to-bring-to-your-visit': 1 } },
  // Billing and insurance
  { q: 'i cant afford my bill', by: 'patient', relevant: { 'paying-your-bill': 3, 'billing-understanding-your-bill': 2 } },
  { q: 'what is a deductable', by: 'patient', relevant: { 'copays-deductibles-coinsurance': 3, 'insurance-and-coverage': 1 } },
  { q: 'copay', by: 'patient', relevant: { 'copays-deductibles-coinsurance': 3, 'billing-understanding-your-bill': 1 } },
  { q: 'got a new insurance card', by: 'patient', relevant: { 'insurance-and-coverage': 3, 'what-to-bring-to-your-visit': 1 } },
  { q: 'explanation of benefits', by: 'patient', relevant: { 'billing-understanding-your-bill': 3, 'copays-deductibles-coinsurance': 1 } },
  { q: 'do you take medicaid', by: 'patient', relevant: { 'insurance-and-coverage': 3, 'new-patient-registration': 1 } },
  // Prescriptions
  { q: 'refill my blood pressure meds', by: 'patient', relevant: { 'prescription-refills': 3, 'high-blood-pressure': 1 } },
  { q: 'perscription renewal', by: 'patient', relevant: { 'prescription-refills': 3 } },
  { q: 'water pill side effects', by: 'patient', relevant: { 'water-pills-diuretics': 3, 'taking-medicines-safely': 1 } },
  { q: 'diuretic', by: 'patient', relevant: { 'water-pills-diuretics': 3, 'high-blood-pressure': 1 } },
  { q: 'missed a dose', by: 'patient', relevant: { 'taking-medicines-safely': 3 } },
  { q: 'change my pharmacy', by: 'patient', relevant: { 'choosing-a-pharmacy': 3, 'prescription-refills': 1 } },
  // Portal
  { q: 'forgot password', by: 'patient', relevant: { 'portal-password-and-sign-in': 3, 'portal-getting-started': 1 } },
  { q: 'cant log in to the portal', by: 'patient', relevant: { 'portal-password-and-sign-in': 3, 'portal-getting-started': 2 } },
  { q: 'where are my lab results', by: 'patient', relevant: { 'test-results-in-the-portal': 3 } },
  { q: 'send a message to my doctor', by: 'patient', relevant: { 'portal-messages-to-your-care-team': 3 } },
  { q: 'set up portal account', by: 'patient', relevant: { 'portal-getting-started': 3 } },
  // Conditions, lay words and misspellings
  { q: 'high blood pressure', by: 'patient', relevant: { 'high-blood-pressure': 3, 'home-blood-pressure-monitoring': 2, 'water-pills-diuretics': 1 } },
  { q: 'HBP', by: 'patient', relevant: { 'high-blood-pressure': 3, 'home-blood-pressure-monitoring': 2 } },
  { q: 'hypertenshun', by: 'patient', relevant: { 'high-blood-pressure': 3, 'home-blood-pressure-monitoring': 2 } },
  { q: 'bp cuff', by: 'patient', relevant: { 'home-blood-pressure-monitoring': 3, 'high-blood-pressure': 2 } },
  { q: 'my sugar is high', by: 'patient', relevant: { 'type-2-diabetes': 3, 'prediabetes-screening': 2, 'diabetes-foot-and-eye-care': 1 } },
  { q: 'diabetis', by: 'patient', relevant: { 'type-2-diabetes': 3, 'prediabetes-screening': 2, 'diabetes-foot-and-eye-care': 2, 'low-blood-sugar': 1 } },
  { q: 'shaky and sweaty low sugar', by: 'patient', relevant: { 'low-blood-sugar': 3, 'type-2-diabetes': 1 } },
  { q: 'diabetic foot care', by: 'patient', relevant: { 'diabetes-foot-and-eye-care': 3, 'type-2-diabetes': 1 } },
  { q: 'wheezing', by: 'patient', relevant: { 'asthma-basics': 3 } },
  { q: 'rescue inhaler', by: 'patient', relevant: { 'asthma-basics': 3 } },
  { q: 'chest pain', by: 'patient', relevant: { 'heart-attack-warning-signs': 3, 'same-day-and-urgent-care': 1, 'heartburn-and-reflux': 1 } },
  { q: 'heart atack symptoms', by: 'patient', relevant: { 'heart-attack-warning-signs': 3 } },
  { q: 'myocardial infarction', by: 'agent', relevant: { 'heart-attack-warning-signs': 3 } },
  { q: 'face drooping arm weak', by: 'patient', relevant: { 'stroke-warning-signs': 3 } },
  { q: 'mini stroke', by: 'patient', relevant: { 'stroke-warning-signs': 3 } },
  { q: 'flu symtoms', by: 'patient', relevant: { 'flu-influenza': 3, 'cold-or-flu': 2, 'flu-vaccine': 1 } },
  { q: 'is it a cold or flu', by: 'patient', relevant: { 'cold-or-flu': 3, 'flu-influenza': 2 } },
  { q: 'tested positive for covid', by: 'patient', relevant: { 'covid-19': 3, 'cold-or-flu': 1 } },
  { q: 'paxlovid', by: 'patient', relevant: { 'covid-19': 3 } },
  { q: 'burning when i pee', by: 'patient', relevant: { 'urinary-tract-infection': 3 } },
  { q: 'bladder infection', by: 'patient', relevant: { 'urinary-tract-infection': 3 } },
  { q: 'my lower back hurts', by: 'patient', relevant: { 'low-back-pain': 3 } },
  { q: 'feeling down all the time', by: 'patient', relevant: { 'depression': 3, 'anxiety': 1 } },
  { q: 'panic attacks', by: 'patient', relevant: { 'anxiety': 3, 'depression': 1 } },
  { q: 'hay fever', by: 'patient', relevant: { 'seasonal-allergies': 3 } },
  { q: 'sneezing itchy eyes', by: 'patient', relevant: { 'seasonal-allergies': 3 } },
  { q: 'cholesterol medicine', by: 'patient', relevant: { 'high-cholesterol': 3 } },
  { q: 'acid reflux', by: 'patient', relevant: { 'heartburn-and-reflux': 3 } },
  { q: 'bad headache', by: 'patient', relevant: { 'migraine-and-headache': 3 } },
  { q: 'throwing up and diarrhea', by: 'patient', relevant: { 'stomach-bug-and-dehydration': 3 } },
  { q: 'strep', by: 'patient', relevant: { 'sore-throat-and-strep': 3 } },
  // Prevention and vaccines
  { q: 'colonoscopy', by: 'patient', relevant: { 'colorectal-cancer-screening': 3, 'preventive-screenings-for-adults': 2 } },
  { q: 'when should i get a mammogram', by: 'patient', relevant: { 'breast-cancer-screening': 3, 'preventive-screenings-for-adults': 2 } },
  { q: 'pap smear', by: 'patient', relevant: { 'cervical-cancer-screening': 3, 'preventive-screenings-for-adults': 1 } },
  { q: 'screenings i need at 50', by: 'patient', relevant: { 'preventive-screenings-for-adults': 3, 'colorectal-cancer-screening': 2, 'lung-cancer-screening': 1 } },
  { q: 'flu shot', by: 'patient', relevant: { 'flu-vaccine': 3, 'adult-vaccines': 2, 'flu-influenza': 1 } },
  { q: 'shingles shot', by: 'patient', relevant: { 'shingles-vaccine': 3, 'adult-vaccines': 2 } },
  { q: 'tetnus booster', by: 'patient', relevant: { 'tetanus-tdap-vaccine': 3, 'adult-vaccines': 2 } },
  { q: 'pneumonia vaccine', by: 'patient', relevant: { 'pneumococcal-vaccine': 3, 'adult-vaccines': 2 } },
  { q: 'baby shots schedule', by: 'patient', relevant: { 'childhood-vaccines': 3 } },
  { q: 'quit smoking', by: 'patient', relevant: { 'quitting-smoking': 3, 'lung-cancer-screening': 1 } },
  { q: 'vaccin', by: 'patient', relevant: { 'adult-vaccines': 3, 'childhood-vaccines': 2, 'flu-vaccine': 2, 'shingles-vaccine': 1, 'pneumococcal-vaccine': 1, 'tetanus-tdap-vaccine': 1 } },
  // Spanish
  { q: 'presion alta', language: 'es', by: 'patient', relevant: { 'presion-alta': 3, 'pastillas-para-el-agua': 1 } },
  { q: 'tengo el azucar alta', language: 'es', by: 'patient', relevant: { 'diabetes-tipo-2': 3 } },
  { q: 'dolor de pecho', language: 'es', by: 'patient', relevant: { 'senales-de-infarto': 3 } },
  { q: 'ataque al corazon', language: 'es', by: 'patient', relevant: { 'senales-de-infarto': 3 } },
  { q: 'embolia', language: 'es', by: 'patient', relevant: { 'senales-de-derrame-cerebral': 3 } },
  { q: 'ardor al orinar', language: 'es', by: 'patient', relevant: { 'infeccion-urinaria': 3 } },
  { q: 'cancelar mi cita', language: 'es', by: 'patient', relevant: { 'cancelar-o-cambiar-una-cita': 3, 'como-hacer-una-cita': 1 } },
  { q: 'resurtir receta', language: 'es', by: 'patient', relevant: { 'como-resurtir-una-receta': 3 } },
  { q: 'olvide mi contrasena', language: 'es', by: 'patient', relevant: { 'problemas-para-entrar-al-portal': 3 } },
  { q: 'vacuna de la gripa', language: 'es', by: 'patient', relevant: { 'vacuna-contra-la-gripe': 3, 'gripe-influenza': 1 } },
  { q: 'me siento triste', language: 'es', by: 'patient', relevant: { 'depresion': 3 } },
  { q: 'pastilla para el agua', language: 'es', by: 'patient', relevant: { 'pastillas-para-el-agua': 3, 'presion-alta': 1 } },
  // Agents
  { q: 'patient says chest pain in chat', by: 'agent', relevant: { 'agent-emergency-in-chat': 3, 'heart-attack-warning-signs': 2 } },
  { q: 'suicidal patient', by: 'agent', relevant: { 'agent-emergency-in-chat': 3, 'depression': 2 } },
  { q: 'verify patient identity', by: 'agent', relevant: { 'agent-verifying-identity': 3 } },
  { q: 'patient disputes a charge', by: 'agent', relevant: { 'agent-billing-questions': 3, 'billing-understanding-your-bill': 1 } },
  { q: 'angry caller', by: 'agent', relevant: { 'agent-frustrated-patients': 3 } },
  { q: 'needs a spanish interpreter', by: 'agent', relevant: { 'agent-interpreter-requests': 3, 'interpreter-and-language-services': 2 } },
  { q: 'offline messages', by: 'agent', relevant: { 'agent-after-hours-messages': 3 } },
  { q: 'refill request controlled substance', by: 'agent', relevant: { 'agent-refill-requests': 3, 'prescription-refills': 2 } },
  { q: 'missed appointments policy', by: 'agent', relevant: { 'agent-no-show-conversations': 3, 'cancelling-or-rescheduling': 2 } },
];

/** Extra queries for the speed benchmark: the labelled ones as typed, letter by letter (prefixes), and filters. */
export function speedQueries(): Array<{ q: string; language?: 'en' | 'es' }> {
  const out: Array<{ q: string; language?: 'en' | 'es' }> = [];
  for (const { q, language } of LABELLED_QUERIES) {
    out.push(language ? { q, language } : { q });
    // As typed: the query cut in the middle of its last word.
    const cut = q.slice(0, Math.max(3, Math.ceil(q.length * 0.7)));
    out.push(language ? { q: cut, language } : { q: cut });
  }
  return out;
}
