import { useEffect, useRef, type ReactNode } from 'react';
import './portal.css';

type ConfirmPanelProps = {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  busy?: boolean;
  danger?: boolean;
  onConfirm(): void;
  onCancel(): void;
};

/**
 * An inline confirmation (no modal to trap focus in): a labelled region that takes focus when it
 * opens, says what will happen, and offers confirm and cancel buttons.
 */
export function ConfirmPanel({ title, children, confirmLabel, cancelLabel, busy, danger, onConfirm, onCancel }: ConfirmPanelProps) {
  const region = useRef<HTMLDivElement>(null);
  useEffect(() => {
    region.current?.focus();
  }, []);
  return (
    <div className="confirm-panel" role="group" aria-label={title} tabIndex={-1} ref={region}>
      <p className="confirm-title">{title}</p>
      {children}
      <div className="form-actions">
        <button type="button" className={`button ${danger ? 'danger' : 'primary'}`} disabled={busy} onClick={onConfirm}>
          {confirmLabel}
        </button>
        <button type="button" className="button" onClick={onCancel}>
          {cancelLabel}
        </button>
      </div>
    </div>
  );
}
