/**
 * The admin workspace's Users tab: the accounts (searched by name or e-mail, filtered by role, paged),
 * a form for a new staff account, and per account a panel to change the role, disable or enable it,
 * reset two-step sign-in, clear failed sign-ins and, for agents and supervisors, set the routing
 * skills and capacity. Results are announced in status regions; an admin cannot disable or demote
 * their own account here (the server refuses it too).
 */
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ROUTING_SKILLS, STAFF_ROLES, type AdminUser, type AgentRoutingProfile, type Skill, type UpdateUserRequest } from '@carebridge/server/contracts';
import { useAppSelector } from '../../app/hooks.js';
import { selectUser } from '../../app/session/session-slice.js';
import { DialogForm } from '../../common/DialogForm.js';
import { InlineError } from '../../common/InlineError.js';
import {
  useCreateUserMutation,
  useGetRoutingProfileQuery,
  useGetUsersPageQuery,
  useSaveRoutingProfileMutation,
  usersProblemOf,
  useUpdateUserMutation,
  type UsersFilter,
} from './users-api.js';

const ROLE_LABELS: Record<string, string> = {
  agent: 'Agent',
  supervisor: 'Supervisor',
  practitioner: 'Practitioner',
  outreach: 'Outreach',
  'bot-author': 'Bot author',
  admin: 'Administrator',
  patient: 'Patient',
};
const roleLabel = (role: string) => ROLE_LABELS[role] ?? role;
const SKILL_LABELS: Record<Skill, string> = { scheduling: 'Scheduling', billing: 'Billing', 'nurse-line': 'Nurse line', pharmacy: 'Pharmacy', general: 'General', spanish: 'Spanish' };
/** Routing profiles exist for these roles only (the server answers 409 for the others). */
const ROUTED_ROLES = new Set(['agent', 'supervisor']);
const COLUMNS = 7;
const EMPTY_FILTER: UsersFilter = { role: '', q: '' };
const when = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });

export default function UsersTab() {
  const me = useAppSelector(selectUser);
  const [draft, setDraft] = useState<UsersFilter>(EMPTY_FILTER);
  const [applied, setApplied] = useState<UsersFilter>(EMPTY_FILTER);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [openId, setOpenId] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState('');
  const newButton = useRef<HTMLButtonElement>(null);
  const ids = { q: useId(), role: useId(), create: useId() };

  const apply = (next: UsersFilter) => {
    setApplied(next);
    setCursors([null]);
  };
  const search = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const closeCreate = () => {
    setCreating(false);
    // The form is gone: back to the button that opened it.
    requestAnimationFrame(() => newButton.current?.focus());
  };

  return (
    <div className="users-tab">
      <div className="users-toolbar">
        <form role="search" aria-label="Search accounts" className="users-search" onSubmit={search}>
          <div className="field grow">
            <label htmlFor={ids.q}>Name or e-mail</label>
            <input id={ids.q} type="search" className="input" maxLength={100} value={draft.q} placeholder="e.g. hana or hana@" onChange={(e) => setDraft({ ...draft, q: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={ids.role}>Role</label>
            <select
              id={ids.role}
              className="input"
              value={draft.role}
              onChange={(e) => {
                // A choice applies at once; the words apply on Enter or Search.
                const next = { ...draft, role: e.target.value };
                setDraft(next);
                apply({ ...next, q: applied.q });
              }}
            >
              <option value="">Any role</option>
              {[...STAFF_ROLES, 'patient'].map((r) => (
                <option key={r} value={r}>
                  {roleLabel(r)}
                </option>
              ))}
            </select>
          </div>
          <div className="row users-search-actions">
            <button type="submit" className="button">
              Search
            </button>
            {applied.q || applied.role || draft.q ? (
              <button
                type="button"
                className="button ghost"
                onClick={() => {
                  setDraft(EMPTY_FILTER);
                  apply(EMPTY_FILTER);
                }}
              >
                Clear
              </button>
            ) : null}
          </div>
        </form>
        <button
          ref={newButton}
          type="button"
          className="button primary users-new"
          aria-expanded={creating}
          aria-controls={creating ? ids.create : undefined}
          onClick={() => (creating ? closeCreate() : setCreating(true))}
        >
          New account
        </button>
      </div>

      {creating ? <CreateAccountForm id={ids.create} onCancel={closeCreate} onCreated={(text) => setCreated(text)} /> : null}
      <p role="status" className="users-status">
        {created}
      </p>

      <div className="users-results" role="region" aria-label="Accounts found">
        <table className="data-table users-table">
          <caption className="visually-hidden">Accounts</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="users-wide">
                E-mail
              </th>
              <th scope="col" className="users-mid">
                Role
              </th>
              <th scope="col" className="users-state">
                Status
              </th>
              <th scope="col" className="users-wide">
                MFA
              </th>
              <th scope="col" className="users-wide">
                Last sign-in
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          {cursors.map((cursor, index) => (
            <UsersPage
              key={cursor ?? 'first'}
              filter={applied}
              cursor={cursor}
              first={index === 0}
              last={index === cursors.length - 1}
              meId={me?.id ?? ''}
              openId={openId}
              onToggle={(id) => setOpenId((current) => (current === id ? null : id))}
              onMore={(next) => setCursors((c) => [...c, next])}
            />
          ))}
        </table>
      </div>
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------

interface PageProps {
  filter: UsersFilter;
  cursor: string | null;
  first: boolean;
  last: boolean;
  meId: string;
  openId: string | null;
  onToggle(id: string): void;
  onMore(cursor: string): void;
}

/** One page of accounts as a table body; the last page offers the next. */
function UsersPage({ filter, cursor, first, last, meId, openId, onToggle, onMore }: PageProps) {
  const { data, error, isFetching, refetch } = useGetUsersPageQuery({ ...filter, cursor });
  const problem = usersProblemOf(error);
  const items = data?.items ?? [];
  const body = useRef<HTMLTableSectionElement>(null);
  // "Show more" disappears when clicked: the focus goes to the first account it brought.
  const focusFirst = useRef(!first);
  useEffect(() => {
    if (focusFirst.current && data) {
      focusFirst.current = false;
      body.current?.querySelector<HTMLElement>('.users-manage')?.focus();
    }
  }, [data]);

  const emptyText = () => {
    const role = filter.role ? ` with the role ${roleLabel(filter.role)}` : '';
    return filter.q.trim() ? `No accounts match “${filter.q.trim()}”${role}.` : `No accounts match${role || ' these filters'}.`;
  };
  return (
    <tbody ref={body}>
      {items.map((user) => (
        <UserRows key={user.id} user={user} own={user.id === meId} open={user.id === openId} onToggle={() => onToggle(user.id)} />
      ))}
      {isFetching && !data ? (
        <tr>
          <td colSpan={COLUMNS}>
            <p className="loading" role="status">
              Loading accounts…
            </p>
          </td>
        </tr>
      ) : null}
      {problem ? (
        <tr>
          <td colSpan={COLUMNS}>
            <InlineError message={`The accounts could not be loaded. ${problem.message}`} />
            <button type="button" className="button" onClick={() => void refetch()}>
              Try again
            </button>
          </td>
        </tr>
      ) : null}
      {first && data && items.length === 0 ? (
        <tr>
          <td colSpan={COLUMNS}>
            <p className="muted empty-row" role="status">
              {emptyText()}
            </p>
          </td>
        </tr>
      ) : null}
      {last && data?.nextCursor ? (
        <tr>
          <td colSpan={COLUMNS}>
            <button type="button" className="button" onClick={() => onMore(data.nextCursor!)}>
              Show more accounts
            </button>
          </td>
        </tr>
      ) : null}
    </tbody>
  );
}

function UserRows({ user, own, open, onToggle }: { user: AdminUser; own: boolean; open: boolean; onToggle(): void }) {
  const panelId = useId();
  return (
    <>
      <tr className={open ? 'open' : undefined}>
        <td>
          <span className="users-name">{user.displayName}</span>
          {own ? <span className="muted small"> (you)</span> : null}
          {/* Narrow windows hide the e-mail and role columns: the same facts under the name. */}
          <div className="users-sub muted small">
            <span className="users-sub-email">{user.email}</span>
            <span className="users-sub-role"> · {roleLabel(user.role)}</span>
            <span className="users-sub-status">
              <StatusBadge user={user} />
            </span>
          </div>
        </td>
        <td className="users-wide users-email">{user.email}</td>
        <td className="users-mid">{roleLabel(user.role)}</td>
        <td className="users-state">
          <StatusBadge user={user} />
        </td>
        <td className="users-wide">{user.mfaEnabled ? 'On' : 'Off'}</td>
        <td className="users-wide tabular">{user.lastLoginAt ? <time dateTime={user.lastLoginAt}>{when(user.lastLoginAt)}</time> : <span className="muted">Never</span>}</td>
        <td className="users-actions">
          <button type="button" className="button small users-manage" aria-expanded={open} aria-controls={open ? panelId : undefined} onClick={onToggle}>
            Manage<span className="visually-hidden"> {user.displayName}</span>
          </button>
        </td>
      </tr>
      {open ? (
        <tr className="users-panel-row">
          <td colSpan={COLUMNS}>
            <AccountPanel id={panelId} user={user} own={own} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function StatusBadge({ user }: { user: AdminUser }) {
  return <span className={`badge users-badge ${user.disabled ? 'off' : 'on'}`}>{user.disabled ? 'Disabled' : 'Active'}</span>;
}

// ---------------------------------------------------------------------------------------------
// New account
// ---------------------------------------------------------------------------------------------

const CREATE_FIELDS = { email: 'E-mail', displayName: 'Display name', role: 'Role', password: 'Temporary password', practitionerId: 'Practitioner id' } as const;
type CreateField = keyof typeof CREATE_FIELDS;
const isCreateField = (path: string): path is CreateField => Object.hasOwn(CREATE_FIELDS, path);
const EMPTY_ACCOUNT = { email: '', displayName: '', role: 'agent', password: '', practitionerId: '' };

function CreateAccountForm({ id, onCancel, onCreated }: { id: string; onCancel(): void; onCreated(text: string): void }) {
  const [form, setForm] = useState(EMPTY_ACCOUNT);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<CreateField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [createUser, { isLoading }] = useCreateUserMutation();
  const ids: Record<CreateField | 'title', string> = { title: useId(), email: useId(), displayName: useId(), role: useId(), password: useId(), practitionerId: useId() };
  const controls = useRef(new Map<CreateField, HTMLElement>());
  const control = (field: CreateField) => (el: HTMLElement | null) => {
    if (el) controls.current.set(field, el);
    else controls.current.delete(field);
  };
  const focusField = (field: CreateField) => controls.current.get(field)?.focus();
  useEffect(() => focusField('email'), []);

  const set = (field: CreateField, value: string) => {
    setForm((f) => ({ ...f, [field]: value }));
    setFieldErrors((errors) => ({ ...errors, [field]: undefined }));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (isLoading) return;
    setError(null);
    setFieldErrors({});
    const practitionerId = form.role === 'practitioner' ? form.practitionerId.trim() : '';
    try {
      const user = await createUser({
        email: form.email,
        displayName: form.displayName,
        role: form.role as (typeof STAFF_ROLES)[number],
        password: form.password,
        ...(practitionerId ? { practitionerId } : {}),
      }).unwrap();
      setForm(EMPTY_ACCOUNT);
      onCreated(`Account created for ${user.displayName} (${user.email}, ${roleLabel(user.role)}). Give them the temporary password in person or by phone.`);
      focusField('email');
    } catch (err) {
      const problem = usersProblemOf(err);
      if (!problem) return;
      const errors: Partial<Record<CreateField, string>> = {};
      for (const issue of problem.issues) {
        const field = issue.path.split('.')[0] ?? '';
        if (isCreateField(field)) errors[field] ??= issue.message;
      }
      // 409: the e-mail is taken; 422: the practitioner does not exist. Both name one field.
      if (problem.status === 409) errors.email ??= 'is already used by another account';
      if (problem.status === 422 && /practitioner/i.test(problem.message)) errors.practitionerId ??= 'no such Practitioner';
      const named = (Object.keys(errors) as CreateField[]).filter((f) => errors[f]);
      setFieldErrors(errors);
      setError(named.length ? `The account was not created. ${named.map((f) => `${CREATE_FIELDS[f]}: ${errors[f]}`).join('; ')}.` : `The account was not created. ${problem.message}`);
      onCreated('');
      const firstField = (Object.keys(CREATE_FIELDS) as CreateField[]).find((f) => errors[f]);
      if (firstField) focusField(firstField);
    }
  };

  const describe = (field: CreateField, hint?: string) => [hint, fieldErrors[field] ? `${ids[field]}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: CreateField) =>
    fieldErrors[field] ? (
      <p id={`${ids[field]}-error`} className="users-field-error small">
        {CREATE_FIELDS[field]} {fieldErrors[field]}
      </p>
    ) : null;
  const hintId = `${ids.password}-hint`;

  return (
    <form id={id} className="card users-create" aria-labelledby={ids.title} noValidate onSubmit={(e) => void submit(e)}>
      <h3 id={ids.title}>New staff account</h3>
      <div className="users-create-grid">
        <div className="field">
          <label htmlFor={ids.email}>E-mail</label>
          <input
            ref={control('email')}
            id={ids.email}
            type="email"
            className="input"
            autoComplete="off"
            required
            maxLength={254}
            value={form.email}
            aria-invalid={fieldErrors.email ? true : undefined}
            aria-describedby={describe('email')}
            onChange={(e) => set('email', e.target.value)}
          />
          {fieldError('email')}
        </div>
        <div className="field">
          <label htmlFor={ids.displayName}>Display name</label>
          <input
            ref={control('displayName')}
            id={ids.displayName}
            className="input"
            autoComplete="off"
            required
            maxLength={120}
            value={form.displayName}
            aria-invalid={fieldErrors.displayName ? true : undefined}
            aria-describedby={describe('displayName')}
            onChange={(e) => set('displayName', e.target.value)}
          />
          {fieldError('displayName')}
        </div>
        <div className="field">
          <label htmlFor={ids.role}>Role</label>
          <select
            ref={control('role')}
            id={ids.role}
            className="input"
            value={form.role}
            aria-invalid={fieldErrors.role ? true : undefined}
            aria-describedby={describe('role')}
            onChange={(e) => set('role', e.target.value)}
          >
            {STAFF_ROLES.map((r) => (
              <option key={r} value={r}>
                {roleLabel(r)}
              </option>
            ))}
          </select>
          {fieldError('role')}
        </div>
        <div className="field">
          <label htmlFor={ids.password}>Temporary password</label>
          <input
            ref={control('password')}
            id={ids.password}
            type="password"
            className="input"
            autoComplete="new-password"
            required
            maxLength={1024}
            value={form.password}
            aria-invalid={fieldErrors.password ? true : undefined}
            aria-describedby={describe('password', hintId)}
            onChange={(e) => set('password', e.target.value)}
          />
          <p id={hintId} className="muted small users-hint">
            At least 12 characters, not the e-mail address and not a common password.
          </p>
          {fieldError('password')}
        </div>
        {form.role === 'practitioner' ? (
          <div className="field">
            <label htmlFor={ids.practitionerId}>Practitioner id (optional)</label>
            <input
              ref={control('practitionerId')}
              id={ids.practitionerId}
              className="input"
              autoComplete="off"
              maxLength={64}
              value={form.practitionerId}
              aria-invalid={fieldErrors.practitionerId ? true : undefined}
              aria-describedby={describe('practitionerId', `${ids.practitionerId}-hint`)}
              onChange={(e) => set('practitionerId', e.target.value)}
            />
            <p id={`${ids.practitionerId}-hint`} className="muted small users-hint">
              Links the account to its FHIR Practitioner, e.g. PR0001.
            </p>
            {fieldError('practitionerId')}
          </div>
        ) : null}
      </div>
      <InlineError message={error} />
      <div className="row">
        <button type="submit" className="button primary">
          Create account
        </button>
        <button type="button" className="button ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

// ---------------------------------------------------------------------------------------------
// One account
// ---------------------------------------------------------------------------------------------

type Confirming = 'disable' | 'reset-mfa' | null;
/** The parts of the panel; each shows the result of its own changes, next to them. */
type Part = 'role' | 'sign-in';
type Change = UpdateUserRequest;

/** A part's result line (a live region, so it is there before the first message) and its error. */
function PartFeedback({ status, error }: { status: string; error: string | null }) {
  return (
    <>
      <p role="status" className="users-status">
        {status}
      </p>
      <InlineError message={error} />
    </>
  );
}

/** What an admin can change about one account, each part with its own result line. */
function AccountPanel({ id, user, own }: { id: string; user: AdminUser; own: boolean }) {
  const [updateUser] = useUpdateUserMutation();
  const [confirming, setConfirming] = useState<Confirming>(null);
  const [feedback, setFeedback] = useState<{ part: Part; status: string; error: string | null }>({ part: 'sign-in', status: '', error: null });
  const [busy, setBusy] = useState(false);
  const [focusHeading, setFocusHeading] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  const titleId = useId();
  const signInId = useId();
  const name = user.displayName;
  const patient = user.role === 'patient';

  // Runs after the dialog's own clean-up (which puts the focus back on its opener): used when the
  // opener is gone, as the reset button is once two-step sign-in is off.
  useEffect(() => {
    if (!focusHeading) return;
    heading.current?.focus();
    setFocusHeading(false);
  }, [focusHeading]);

  /** Sends one change; resolves to the failure to show, or null once it is stored and announced. */
  const change = async (part: Part, changes: Change, done: (updated: AdminUser) => string): Promise<string | null> => {
    setFeedback({ part, status: '', error: null });
    try {
      const updated = await updateUser({ id: user.id, changes }).unwrap();
      setFeedback({ part, status: done(updated), error: null });
      return null;
    } catch (err) {
      return usersProblemOf(err)?.message ?? 'The change could not be saved.';
    }
  };
  /**
   * A change without a confirmation: its failure is shown in its part. `buttonGoes`: the button
   * disappears once the change is made, so the focus moves to the account's heading.
   */
  const direct = async (part: Part, changes: Change, done: (updated: AdminUser) => string, buttonGoes = false) => {
    // Buttons stay enabled while a change runs (a disabled button drops the keyboard focus): a
    // second press waits for the first instead.
    if (busy) return;
    setBusy(true);
    const failure = await change(part, changes, done);
    setBusy(false);
    if (failure) setFeedback({ part, status: '', error: failure });
    else if (buttonGoes) setFocusHeading(true);
  };
  const feedbackOf = (part: Part) => <PartFeedback status={feedback.part === part ? feedback.status : ''} error={feedback.part === part ? feedback.error : null} />;

  return (
    <section id={id} className="users-panel" aria-labelledby={titleId}>
      <h3 id={titleId} ref={heading} tabIndex={-1}>
        {name}’s account
      </h3>
      <dl className="users-facts">
        <div>
          <dt>E-mail</dt>
          <dd className="users-email">{user.email}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge user={user} />
          </dd>
        </div>
        <div>
          <dt>Two-step sign-in</dt>
          <dd>{user.mfaEnabled ? 'On' : 'Off'}</dd>
        </div>
        <div>
          <dt>Last sign-in</dt>
          <dd>{user.lastLoginAt ? when(user.lastLoginAt) : 'Never'}</dd>
        </div>
        <div>
          <dt>Failed sign-ins</dt>
          <dd>{user.failedLogins}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{when(user.createdAt)}</dd>
        </div>
      </dl>
      {own ? (
        <p className="notice small">
          This is your account. You cannot disable it or take away its administrator role here, so the clinic is never left without an administrator; another
          administrator can.
        </p>
      ) : null}

      <div className="users-panel-parts">
        {!own && !patient ? (
          <RoleForm user={user} onSave={(role) => direct('role', { role }, (u) => `${u.displayName} is now ${article(roleLabel(u.role))}. They were signed out everywhere and sign in again with the new role.`)}>
            {feedbackOf('role')}
          </RoleForm>
        ) : null}
        {patient ? <p className="muted small">Patient accounts keep the patient role.</p> : null}

        <div className="users-part" role="group" aria-labelledby={signInId}>
          <h4 id={signInId}>Sign-in</h4>
          <div className="row">
            {own ? null : (
              <button
                type="button"
                className={user.disabled ? 'button' : 'button danger'}
                onClick={() => (user.disabled ? void direct('sign-in', { disabled: false }, (u) => `${u.displayName} is enabled again and can sign in.`) : setConfirming('disable'))}
              >
                {user.disabled ? 'Enable' : 'Disable'} {name}
              </button>
            )}
            {user.mfaEnabled && !own ? (
              <button type="button" className="button" onClick={() => setConfirming('reset-mfa')}>
                Reset two-step sign-in<span className="visually-hidden"> for {name}</span>
              </button>
            ) : null}
            {user.failedLogins > 0 || user.lockedUntil ? (
              <button type="button" className="button" onClick={() => void direct('sign-in', { unlock: true }, (u) => `Failed sign-ins of ${u.displayName} cleared; they can try again at once.`, true)}>
                Clear failed sign-ins<span className="visually-hidden"> of {name}</span>
              </button>
            ) : null}
          </div>
          {user.disabled ? <p className="muted small">Disabled: they cannot sign in. Enabling lets them sign in with their password again.</p> : null}
          {!user.mfaEnabled ? <p className="muted small">Two-step sign-in is off: they sign in with their password alone.</p> : null}
          {feedbackOf('sign-in')}
        </div>

        {ROUTED_ROLES.has(user.role) ? <RoutingProfileForm user={user} /> : null}
      </div>

      {confirming === 'disable' ? (
        <ConfirmChange
          title={`Disable ${name}?`}
          confirmLabel="Disable account"
          onClose={() => setConfirming(null)}
          onConfirm={() => change('sign-in', { disabled: true }, (u) => `${u.displayName} is disabled: signed out everywhere and unable to sign in.`)}
        >
          {name} ({user.email}) is signed out everywhere at once and cannot sign in until an administrator enables the account again. Their open chats go back to
          routing.
        </ConfirmChange>
      ) : null}
      {confirming === 'reset-mfa' ? (
        <ConfirmChange
          title={`Reset two-step sign-in for ${name}?`}
          confirmLabel="Reset two-step sign-in"
          onClose={(done) => {
            setConfirming(null);
            // The reset button is gone once it worked: the focus goes to the account's heading.
            if (done) setFocusHeading(true);
          }}
          onConfirm={() => change('sign-in', { resetMfa: true }, (u) => `Two-step sign-in of ${u.displayName} is reset: they sign in with their password and can set up an authenticator again.`)}
        >
          Their authenticator stops working for this account. Until they set it up again, their password alone signs them in. Do this when they lost their phone,
          after checking who is asking.
        </ConfirmChange>
      ) : null}
    </section>
  );
}

const article = (word: string) => (/^[AEIOU]/.test(word) ? `an ${word}` : `a ${word}`);

function RoleForm({ user, onSave, children }: { user: AdminUser; onSave(role: (typeof STAFF_ROLES)[number]): Promise<void>; children: ReactNode }) {
  const [role, setRole] = useState(user.role);
  const ids = { title: useId(), select: useId(), hint: useId() };
  // A change stored (or made elsewhere) becomes the new starting point.
  useEffect(() => setRole(user.role), [user.role]);
  const name = user.displayName;
  return (
    <form
      className="users-part"
      aria-labelledby={ids.title}
      onSubmit={(e) => {
        e.preventDefault();
        if (role !== user.role) void onSave(role as (typeof STAFF_ROLES)[number]);
      }}
    >
      <h4 id={ids.title}>Role</h4>
      <div className="row users-inline">
        <label htmlFor={ids.select} className="visually-hidden">
          Role of {name}
        </label>
        <select id={ids.select} className="input" value={role} aria-describedby={ids.hint} onChange={(e) => setRole(e.target.value as AdminUser['role'])}>
          {STAFF_ROLES.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
        {/* aria-disabled, not disabled: it has the focus right after a save, and keeps it. */}
        <button type="submit" className="button" aria-disabled={role === user.role}>
          Save role<span className="visually-hidden"> of {name}</span>
        </button>
      </div>
      <p id={ids.hint} className="muted small">
        A new role signs them out everywhere; they sign in again to get it.
      </p>
      {children}
    </form>
  );
}

/** Skills (all a queue needs, for its chats to be offered) and how many chats at once. */
function RoutingProfileForm({ user }: { user: AdminUser }) {
  const { data, error, isLoading, refetch } = useGetRoutingProfileQuery(user.id, { refetchOnMountOrArgChange: true });
  const problem = usersProblemOf(error);
  if (isLoading) {
    return (
      <div className="users-part">
        <h4>Routing</h4>
        <p className="loading small" role="status">
          Loading the routing profile…
        </p>
      </div>
    );
  }
  if (!data) {
    return (
      <div className="users-part">
        <h4>Routing</h4>
        <InlineError message={`The routing profile could not be loaded. ${problem?.message ?? ''}`} />
        <button type="button" className="button" onClick={() => void refetch()}>
          Try again
        </button>
      </div>
    );
  }
  return <RoutingProfileEditor user={user} stored={data} />;
}

function RoutingProfileEditor({ user, stored }: { user: AdminUser; stored: AgentRoutingProfile }) {
  const [skills, setSkills] = useState<Set<Skill>>(() => new Set(stored.skills));
  const [capacity, setCapacity] = useState(String(stored.capacity));
  const [status, setStatus] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [save, { isLoading }] = useSaveRoutingProfileMutation();
  const ids = { title: useId(), capacity: useId(), hint: useId() };
  const name = user.displayName;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (isLoading) return;
    setStatus('');
    setError(null);
    const value = Number(capacity);
    if (capacity.trim() === '' || !Number.isInteger(value) || value < 0 || value > 10) {
      setError('Capacity: a whole number from 0 to 10.');
      return;
    }
    // In the order of the list, so the stored profile reads the same every time.
    const chosen = ROUTING_SKILLS.filter((s) => skills.has(s));
    try {
      const saved = await save({ id: user.id, profile: { skills: chosen, capacity: value } }).unwrap();
      const skillText = saved.skills.length ? saved.skills.map((s) => SKILL_LABELS[s]).join(', ') : 'no skills';
      const capacityText = saved.capacity === 0 ? 'capacity 0, so they are out of routing' : `up to ${saved.capacity} at once`;
      setStatus(`Routing of ${name} saved: ${skillText}; ${capacityText}.`);
    } catch (err) {
      setError(usersProblemOf(err)?.message ?? 'The routing profile could not be saved.');
    }
  };

  return (
    <form className="users-part users-routing" aria-labelledby={ids.title} noValidate onSubmit={(e) => void submit(e)}>
      <h4 id={ids.title}>Routing</h4>
      <fieldset className="field users-skills">
        <legend>
          Skills<span className="visually-hidden"> of {name}</span>
        </legend>
        <div className="users-skill-list">
          {ROUTING_SKILLS.map((skill) => (
            <label key={skill} className="check">
              <input
                type="checkbox"
                checked={skills.has(skill)}
                onChange={(e) =>
                  setSkills((current) => {
                    const next = new Set(current);
                    if (e.target.checked) next.add(skill);
                    else next.delete(skill);
                    return next;
                  })
                }
              />
              {SKILL_LABELS[skill]}
            </label>
          ))}
        </div>
        {skills.size === 0 ? <p className="muted small">With no skills they are offered no queue’s chats.</p> : null}
      </fieldset>
      <div className="field">
        <label htmlFor={ids.capacity}>
          Capacity<span className="visually-hidden"> of {name}</span>
        </label>
        <input
          id={ids.capacity}
          type="number"
          className="input narrow"
          min={0}
          max={10}
          step={1}
          inputMode="numeric"
          value={capacity}
          aria-describedby={ids.hint}
          aria-invalid={error?.startsWith('Capacity') ? true : undefined}
          onChange={(e) => setCapacity(e.target.value)}
        />
        <p id={ids.hint} className="muted small users-hint">
          Chats at once, offers included (0–10). 0 takes them out of routing.
        </p>
      </div>
      <InlineError message={error} />
      <div className="row">
        <button type="submit" className="button">
          Save routing<span className="visually-hidden"> of {name}</span>
        </button>
      </div>
      <p role="status" className="users-status">
        {status}
      </p>
    </form>
  );
}

interface ConfirmProps {
  title: string;
  confirmLabel: string;
  /** `done`: the change went through (the dialog closes by itself then). */
  onClose(done: boolean): void;
  /** Resolves to the failure to show in the dialog, or null once done. */
  onConfirm(): Promise<string | null>;
  children: ReactNode;
}

/** "Are you sure?" before a change that locks someone out or weakens their sign-in: Cancel is the default. */
function ConfirmChange({ title, confirmLabel, onClose, onConfirm, children }: ConfirmProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setBusy(true);
    const failure = await onConfirm();
    setBusy(false);
    if (failure) setError(failure);
    else onClose(true);
  };
  return (
    <DialogForm title={title} onClose={() => onClose(false)} onSubmit={submit} confirmLabel={confirmLabel} error={error} busy={busy} destructive>
      <p>{children}</p>
    </DialogForm>
  );
}
