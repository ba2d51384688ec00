import type { ReactNode } from 'react';

/** A value with, when `note` is non-empty, a small muted second line under it (e.g. a name and its URL). */
export function WithNote({ children, note }: { children: ReactNode; note?: ReactNode }) {
  return (
    <>
      {children}
      {note ? <span className="muted small block">{note}</span> : null}
    </>
  );
}
