import type { ReactNode } from 'react';

/**
 * Horizontal scroller for wide tables on phones. It is focusable (and named by the section's
 * heading) so keyboard users can scroll it too.
 */
export function TableWrap({ labelledBy, children }: { labelledBy: string; children: ReactNode }) {
  return (
    <div className="table-wrap" tabIndex={0} role="group" aria-labelledby={labelledBy}>
      {children}
    </div>
  );
}
