/** A problem the user should read next to what caused it (announced: role="alert"); nothing when there is none. */
export function InlineError({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return (
    <p role="alert" className="inline-error">
      {message}
    </p>
  );
}
