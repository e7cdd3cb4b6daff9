/** Staff accounts: the users tab (being built; accounts are managed through /api/admin/users meanwhile). */
export default function UsersTab() {
  return <p className="muted">Staff accounts are managed through the admin API for now.</p>;
}
