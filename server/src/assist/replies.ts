/**
 * Replies and actions smart assist suggests for what the patient asks (the bot's language-model
 * intent of their message). Written for agents to send as they are or edit: plain, warm, and never
 * medical advice. English and Spanish, chosen by the message's language.
 */
import type { AssistActionType } from '../contracts/assist.js';

export interface IntentSuggestions {
  replies: { en: string; es: string }[];
  action?: { type: AssistActionType; title: string; detail: string };
}

export const INTENT_SUGGESTIONS: Record<string, IntentSuggestions> = {
  book_appointment: {
    replies: [
      { en: 'I can book that for you. What day and time of day work best?', es: 'Con gusto le hago la cita. ¿Qué día y a qué hora del día le conviene?' },
      { en: 'Would you prefer an in-person visit or a video visit?', es: '¿Prefiere una consulta en persona o por video?' },
    ],
    action: { type: 'book-appointment', title: 'Book an appointment', detail: 'The patient asks for a visit: open Appointments to offer free times.' },
  },
  reschedule_appointment: {
    replies: [{ en: 'I can move your appointment. Which day would suit you better?', es: 'Puedo cambiar su cita. ¿Qué día le queda mejor?' }],
    action: { type: 'book-appointment', title: 'Reschedule the appointment', detail: 'The patient wants another time: open Appointments.' },
  },
  cancel_appointment: {
    replies: [{ en: 'I can cancel that for you. Would you like to book another time instead?', es: 'Puedo cancelarla. ¿Quiere reservar otro horario?' }],
    action: { type: 'book-appointment', title: 'Open the appointments', detail: 'The patient wants to cancel: open Appointments.' },
  },
  find_doctor: {
    replies: [{ en: 'I can help you find a doctor. What kind of care do you need, and do you have a preferred language?', es: 'Le ayudo a buscar un médico. ¿Qué tipo de atención necesita y en qué idioma prefiere?' }],
    action: { type: 'book-appointment', title: 'Find a time with a doctor', detail: 'Open Appointments to search by specialty.' },
  },
  medication_refill: {
    replies: [
      { en: 'I can send a refill request to your care team. Which medication is it, and which pharmacy do you use?', es: 'Puedo enviar la solicitud de resurtido a su equipo médico. ¿Qué medicamento es y qué farmacia usa?' },
    ],
  },
  billing_insurance: {
    replies: [
      { en: 'I can help with your bill. Could you tell me the statement date or the amount you have a question about?', es: 'Le ayudo con su factura. ¿Me dice la fecha del estado de cuenta o el monto de su pregunta?' },
    ],
  },
  condition_info: {
    replies: [{ en: 'I can share some information from our health library. A nurse can answer questions about your own care.', es: 'Puedo compartirle información de nuestra biblioteca de salud. Una enfermera puede responder preguntas sobre su propia atención.' }],
  },
  triage: {
    replies: [
      { en: "I'm sorry you're not feeling well. I'll connect you with a nurse who can advise you.", es: 'Lamento que no se sienta bien. Le comunico con una enfermera que pueda orientarle.' },
      { en: 'If this gets worse or you have chest pain or trouble breathing, call 911 right away.', es: 'Si empeora o tiene dolor de pecho o dificultad para respirar, llame al 911 de inmediato.' },
    ],
    action: { type: 'escalate-nurse', title: 'Escalate to the nurse line', detail: 'Symptoms in the patient\u2019s words: a nurse should advise.' },
  },
  covid_assessment: {
    replies: [{ en: "I'll connect you with a nurse who can go through your symptoms with you.", es: 'Le comunico con una enfermera que revise sus síntomas con usted.' }],
    action: { type: 'escalate-nurse', title: 'Escalate to the nurse line', detail: 'COVID-19 symptoms: a nurse should advise.' },
  },
  feedback: {
    replies: [{ en: 'Thank you for telling us. I will pass this on to our team.', es: 'Gracias por decírnoslo. Se lo haré llegar a nuestro equipo.' }],
    action: { type: 'send-survey', title: 'Send the follow-up survey', detail: 'The patient has feedback: the survey records it.' },
  },
  thanks: {
    replies: [{ en: "You're welcome! Is there anything else I can help you with today?", es: '¡De nada! ¿Hay algo más en lo que le pueda ayudar hoy?' }],
    action: { type: 'send-survey', title: 'Send the follow-up survey', detail: 'The patient is wrapping up: ask how it went.' },
  },
  greeting: {
    replies: [{ en: 'Hello! How can I help you today?', es: '¡Hola! ¿En qué le puedo ayudar hoy?' }],
  },
};
