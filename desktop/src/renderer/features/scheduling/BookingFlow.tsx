/**
 * Booking (or moving) an appointment: the search form (specialty, clinician, location, language,
 * in person or video, dates), free times grouped by day, then a hold on the chosen time with its
 * countdown while the agent confirms with the patient, then the booking. A time someone else took
 * meanwhile says so and shows the fresh list.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { AppointmentView, AvailableSlot, SchedulingOptions, SlotHoldView } from '@carebridge/server/contracts';
import { requestErrorText } from '../../api/request-error.js';
import { addDays, countdown, formatTime, formatWhen, groupByDay, localDate, MODE_LABELS, whereText } from './format.js';
import {
  slotTaken,
  useBookAppointmentMutation,
  useHoldSlotMutation,
  useLazySearchAvailabilityQuery,
  useReleaseHoldMutation,
  useRescheduleAppointmentMutation,
  type AvailabilityFilters,
} from './scheduling-api.js';

interface Props {
  conversationId: string;
  patientId: string;
  patientName: string;
  options: SchedulingOptions;
  /** Moving this appointment instead of booking a new one. */
  rescheduling: AppointmentView | null;
  /** The specialty to search first (a script's book-appointment step), a code of `options.specialties`. */
  initialSpecialty?: string;
  onDone(appointment: AppointmentView): void;
  onCancel(): void;
}

export function BookingFlow({ conversationId, patientId, patientName, options, rescheduling, initialSpecialty = '', onDone, onCancel }: Props) {
  const tz = options.timeZone;
  const today = localDate(new Date(), tz);
  const [filters, setFilters] = useState<AvailabilityFilters>(() => ({
    specialty: rescheduling?.specialty && options.specialties.some((s) => s.code === rescheduling.specialty!.code) ? rescheduling.specialty.code : initialSpecialty,
    practitioner: '',
    location: '',
    language: '',
    mode: rescheduling?.mode ?? '',
    from: today,
    to: addDays(today, 13),
  }));
  const [slots, setSlots] = useState<AvailableSlot[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [searched, setSearched] = useState<AvailabilityFilters | null>(null);
  const [taken, setTaken] = useState<string | null>(null);
  const [hold, setHold] = useState<SlotHoldView | null>(null);
  const [search, searchState] = useLazySearchAvailabilityQuery();
  const [holdSlot, holdState] = useHoldSlotMutation();
  const [releaseHold] = useReleaseHoldMutation();
  const heldRef = useRef<string | null>(null);
  heldRef.current = hold?.id ?? null;

  async function runSearch(wanted: AvailabilityFilters, cursor: string | null = null) {
    const result = await search({ filters: wanted, cursor });
    if (!result.data) return;
    setSearched(wanted);
    setSlots((current) => (cursor ? [...current, ...result.data!.slots] : result.data!.slots));
    setNextCursor(result.data.nextCursor);
  }

  // Once, on open: the first search with the defaults; a held time is let go when the flow closes.
  useEffect(() => {
    void runSearch(filters);
    return () => {
      if (heldRef.current) void releaseHold(heldRef.current);
    };
  }, []);

  /** Someone else took the time: say so and show what is free now. */
  function timeWasTaken(message: string) {
    setHold(null);
    setTaken(message);
    void runSearch(searched ?? filters);
  }

  async function choose(slot: AvailableSlot) {
    setTaken(null);
    if (hold && hold.slotId !== slot.slotId) void releaseHold(hold.id);
    const result = await holdSlot(slot.slotId);
    if ('data' in result && result.data) setHold(result.data.hold);
    else {
      const refusal = slotTaken(result.error);
      if (refusal) timeWasTaken(refusal.error.message);
    }
  }

  if (hold) {
    return (
      <HoldConfirm
        conversationId={conversationId}
        patientId={patientId}
        patientName={patientName}
        hold={hold}
        timeZone={tz}
        rescheduling={rescheduling}
        onBooked={(appointment) => {
          // The booking used the hold up: nothing to release when the flow closes.
          heldRef.current = null;
          onDone(appointment);
        }}
        onTaken={timeWasTaken}
        onBack={() => {
          void releaseHold(hold.id);
          setHold(null);
        }}
      />
    );
  }

  const searchError = searchState.error ? requestErrorText(searchState.error) : null;
  const holdError = holdState.error && !slotTaken(holdState.error) ? requestErrorText(holdState.error) : null;
  const days = groupByDay(slots, tz);
  return (
    <div className="booking">
      <div className="row booking-head">
        <h4>{rescheduling ? 'Move the appointment' : `Book for ${patientName}`}</h4>
        <button type="button" className="button ghost" onClick={onCancel}>
          Back to appointments
        </button>
      </div>
      {rescheduling ? <p className="small muted">Now: {formatWhen(rescheduling.start, tz)} with {rescheduling.practitioner?.name ?? 'the care team'}. Choose the new time.</p> : null}
      <SearchForm
        options={options}
        filters={filters}
        today={today}
        onChange={setFilters}
        busy={searchState.isFetching}
        onSubmit={() => {
          setTaken(null);
          void runSearch(filters);
        }}
      />
      {taken ? (
        <p role="alert" className="inline-error small">
          {taken}
        </p>
      ) : null}
      {holdError ? (
        <p role="alert" className="inline-error small">
          {holdError}
        </p>
      ) : null}
      <section className="slot-results" aria-label="Free times" aria-busy={searchState.isFetching}>
        {searchError ? (
          <div>
            <p role="alert" className="inline-error small">
              {searchError}
            </p>
            <button type="button" className="button" onClick={() => void runSearch(filters)}>
              Try again
            </button>
          </div>
        ) : searchState.isFetching && slots.length === 0 ? (
          <p className="muted small" role="status">
            Looking for free times…
          </p>
        ) : searched && slots.length === 0 ? (
          <p className="muted small" role="status">
            No free times match. Try other dates, another clinician or any location.
          </p>
        ) : (
          days.map((day) => <SlotDay key={day.date} heading={day.heading} slots={day.slots} timeZone={tz} onChoose={choose} disabled={holdState.isLoading} />)
        )}
        {nextCursor && !searchError ? (
          <button type="button" className="button wide" disabled={searchState.isFetching} onClick={() => void runSearch(searched ?? filters, nextCursor)}>
            {searchState.isFetching ? 'Loading…' : 'Show more times'}
          </button>
        ) : null}
      </section>
    </div>
  );
}

function SearchForm({ options, filters, today, busy, onChange, onSubmit }: { options: SchedulingOptions; filters: AvailabilityFilters; today: string; busy: boolean; onChange(f: AvailabilityFilters): void; onSubmit(): void }) {
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  const set = (key: keyof AvailabilityFilters) => (e: { target: { value: string } }) => {
    const next = { ...filters, [key]: e.target.value };
    // A clinician of another specialty no longer fits.
    if (key === 'specialty' && next.practitioner && !options.practitioners.some((p) => p.id === next.practitioner && p.specialty === next.specialty)) next.practitioner = '';
    onChange(next);
  };
  const practitioners = options.practitioners.filter((p) => !filters.specialty || p.specialty === filters.specialty);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (filters.from && filters.to && filters.to < filters.from) return setProblem('The last day must not be before the first day.');
    if (filters.from && filters.to && Date.parse(filters.to) - Date.parse(filters.from) > options.maxRangeDays * 86_400_000) return setProblem(`Search at most ${options.maxRangeDays} days at a time.`);
    setProblem(null);
    onSubmit();
  }
  return (
    <form className="slot-search" aria-label="Find a time" onSubmit={submit} noValidate>
      <div className="field-grid">
        <label htmlFor={`${id}-specialty`}>Specialty</label>
        <select id={`${id}-specialty`} className="input" value={filters.specialty} onChange={set('specialty')}>
          <option value="">Any specialty</option>
          {options.specialties.map((s) => (
            <option key={s.code} value={s.code}>
              {s.display}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-practitioner`}>Clinician</label>
        <select id={`${id}-practitioner`} className="input" value={filters.practitioner} onChange={set('practitioner')}>
          <option value="">Any clinician</option>
          {practitioners.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-location`}>Location</label>
        <select id={`${id}-location`} className="input" value={filters.location} onChange={set('location')}>
          <option value="">Any location</option>
          {options.locations.map((l) => (
            <option key={l.id} value={l.id}>
              {l.name}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-language`}>Language</label>
        <select id={`${id}-language`} className="input" value={filters.language} onChange={set('language')}>
          <option value="">Any language</option>
          {options.languages.map((l) => (
            <option key={l.code} value={l.code}>
              {l.display}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-mode`}>Visit</label>
        <select id={`${id}-mode`} className="input" value={filters.mode} onChange={set('mode')}>
          <option value="">In person or video</option>
          {options.modes.map((m) => (
            <option key={m} value={m}>
              {MODE_LABELS[m]}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} className="input" type="date" min={today} value={filters.from} onChange={set('from')} />
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} className="input" type="date" min={filters.from || today} value={filters.to} onChange={set('to')} />
      </div>
      {problem ? (
        <p role="alert" className="inline-error small">
          {problem}
        </p>
      ) : null}
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? 'Searching…' : 'Search'}
      </button>
    </form>
  );
}

function SlotDay({ heading, slots, timeZone, onChoose, disabled }: { heading: string; slots: AvailableSlot[]; timeZone: string; onChoose(slot: AvailableSlot): void; disabled: boolean }) {
  const id = useId();
  return (
    <section className="slot-day" aria-labelledby={id}>
      <h5 id={id}>{heading}</h5>
      <ul className="slot-list">
        {slots.map((s) => {
          const time = formatTime(s.start, timeZone);
          return (
            <li key={s.slotId}>
              <button type="button" className="slot" disabled={disabled} onClick={() => onChoose(s)}>
                <span className="visually-hidden">{heading}, </span>
                <span className="slot-time">{time}</span>{' '}
                <span className="slot-who">
                  {s.practitioner.name}
                  {s.specialty ? <span className="muted">, {s.specialty.display}</span> : null}
                </span>{' '}
                <span className="slot-where muted">
                  {MODE_LABELS[s.mode]}
                  {s.mode === 'in-person' && s.location ? `, ${s.location.name}` : ''}, {s.minutes} min
                </span>{' '}
                <span className="slot-langs muted">Speaks {s.languages.map((l) => l.display).join(', ')}</span>
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

interface HoldProps {
  conversationId: string;
  patientId: string;
  patientName: string;
  hold: SlotHoldView;
  timeZone: string;
  rescheduling: AppointmentView | null;
  onBooked(appointment: AppointmentView): void;
  onTaken(message: string): void;
  onBack(): void;
}

function HoldConfirm({ conversationId, patientId, patientName, hold, timeZone, rescheduling, onBooked, onTaken, onBack }: HoldProps) {
  const id = useId();
  const [note, setNote] = useState('');
  const [now, setNow] = useState(() => Date.now());
  const [book, bookState] = useBookAppointmentMutation();
  const [reschedule, rescheduleState] = useRescheduleAppointmentMutation();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const left = Date.parse(hold.expiresAt) - now;
  const slot = hold.slot;
  const busy = bookState.isLoading || rescheduleState.isLoading;
  const error = bookState.error ?? rescheduleState.error;

  async function confirm(e: FormEvent) {
    e.preventDefault();
    const result = rescheduling
      ? await reschedule({ conversationId, patientId, appointmentId: rescheduling.id, slotId: slot.slotId })
      : await book({ conversationId, patientId, slotId: slot.slotId, ...(note.trim() ? { note: note.trim() } : {}) });
    if ('data' in result && result.data) {
      onBooked(result.data.appointment);
      return;
    }
    const refusal = slotTaken(result.error);
    if (refusal) onTaken(refusal.error.message);
  }

  return (
    <form className="hold" aria-label="Confirm the time" onSubmit={confirm}>
      <h4 ref={headingRef} tabIndex={-1}>
        {rescheduling ? 'Confirm the new time' : 'Confirm the booking'}
      </h4>
      <dl className="appointment-facts small">
        <div>
          <dt>Patient</dt>
          <dd>{patientName}</dd>
        </div>
        <div>
          <dt>When</dt>
          <dd>
            {formatWhen(slot.start, timeZone)} <span className="muted">({slot.minutes} min)</span>
          </dd>
        </div>
        <div>
          <dt>With</dt>
          <dd>
            {slot.practitioner.name}
            {slot.specialty ? <span className="muted"> · {slot.specialty.display}</span> : null}
          </dd>
        </div>
        <div>
          <dt>Where</dt>
          <dd>{whereText(slot)}</dd>
        </div>
        <div>
          <dt>Mode</dt>
          <dd>{MODE_LABELS[slot.mode]}</dd>
        </div>
      </dl>
      {left > 0 ? (
        <p className="hold-timer small">
          Held for you: <span role="timer" aria-label="Hold time left">{countdown(left)}</span>
        </p>
      ) : (
        <p className="notice small" role="status">
          The hold has run out. Confirm now and the time is the patient’s if it is still free.
        </p>
      )}
      {rescheduling ? null : (
        <>
          <label htmlFor={`${id}-note`}>Reason for the visit (optional)</label>
          <input id={`${id}-note`} className="input" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} />
        </>
      )}
      {error && !slotTaken(error) ? (
        <p role="alert" className="inline-error small">
          {requestErrorText(error)}
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Booking…' : rescheduling ? 'Confirm new time' : 'Confirm booking'}
        </button>
        <button type="button" className="button ghost" onClick={onBack} disabled={busy}>
          Choose another time
        </button>
      </div>
    </form>
  );
}
