/**
 * What the engine itself says (re-asks, the way out, failures, the truncation notice), in the
 * shipped locales. Scenario texts come from the scenarios and their string tables instead.
 */
export type EngineTextKey =
  | 'number'
  | 'string'
  | 'boolean'
  | 'date'
  | 'time'
  | 'choice'
  | 'multiChoice'
  | 'object'
  | 'invalid'
  | 'wayOut'
  | 'failed'
  | 'missingScenario'
  | 'truncated'
  | 'pickSeveral'
  | 'yes'
  | 'no';

const TEXT: Record<'en' | 'es', Record<EngineTextKey, string>> = {
  en: {
    number: 'Please answer with a number (for example 42).',
    string: 'Please type your answer.',
    boolean: 'Please answer yes or no.',
    date: 'Please give a date, for example 03/25/2025 or "tomorrow".',
    time: 'Please give a time, for example 2:30 pm.',
    choice: 'Please pick one of the options (you can reply with its number).',
    multiChoice: 'Please pick one or more of the options (numbers separated by commas work too).',
    object: 'Please use the form above, or type your answer.',
    invalid: "That answer doesn't look right.",
    wayOut: "I'm sorry, I still couldn't use that answer, so I've stopped this conversation. Type *restart* to start again, or *agent* to talk to a person.",
    failed: "I'm sorry, something went wrong on our side and I had to stop this conversation. Type *restart* to start again, or *agent* to talk to a person.",
    missingScenario: "I'm sorry, that part of the conversation isn't available here. Type *restart* to start again, or *agent* to talk to a person.",
    truncated: '(This message was too long and has been shortened.)',
    pickSeveral: 'You can pick several: reply with their numbers separated by commas.',
    yes: 'Yes',
    no: 'No',
  },
  es: {
    number: 'Responda con un número (por ejemplo 42).',
    string: 'Escriba su respuesta, por favor.',
    boolean: 'Responda sí o no, por favor.',
    date: 'Indique una fecha, por ejemplo 03/25/2025 o "mañana".',
    time: 'Indique una hora, por ejemplo 2:30 pm.',
    choice: 'Elija una de las opciones (puede responder con su número).',
    multiChoice: 'Elija una o varias opciones (también puede enviar los números separados por comas).',
    object: 'Use el formulario de arriba o escriba su respuesta.',
    invalid: 'Esa respuesta no parece correcta.',
    wayOut: 'Lo siento, no pude usar esa respuesta y he detenido esta conversación. Escriba *reiniciar* para empezar de nuevo o *agente* para hablar con una persona.',
    failed: 'Lo siento, algo falló de nuestro lado y tuve que detener esta conversación. Escriba *reiniciar* para empezar de nuevo o *agente* para hablar con una persona.',
    missingScenario: 'Lo siento, esa parte de la conversación no está disponible aquí. Escriba *reiniciar* para empezar de nuevo o *agente* para hablar con una persona.',
    truncated: '(Este mensaje era demasiado largo y se ha acortado.)',
    pickSeveral: 'Puede elegir varias: responda con sus números separados por comas.',
    yes: 'Sí',
    no: 'No',
  },
};

export function engineText(locale: string, key: EngineTextKey): string {
  return TEXT[locale.startsWith('es') ? 'es' : 'en'][key];
}

/** Cuts a text at a word boundary before `max` characters and says so. */
export function truncateText(text: string, max: number, locale: string): string {
  if (text.length <= max) return text;
  const notice = engineText(locale, 'truncated');
  const room = Math.max(0, max - notice.length - 3);
  const cut = text.slice(0, room);
  const boundary = cut.lastIndexOf(' ');
  return `${(boundary > room * 0.6 ? cut.slice(0, boundary) : cut).trimEnd()}…\n\n${notice}`;
}
