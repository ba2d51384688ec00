import { useI18n } from '../i18n/use-i18n';

type Props = {
  /** A send is under way: the submit button is disabled so it cannot be sent twice. */
  busy?: boolean;
  /** Other reasons the form cannot be sent yet (the submit button is disabled too). */
  disabled?: boolean;
  /** Text of the submit button; "Simpan"/"Save" when omitted. */
  saveLabel?: string;
  /** Shows a second, plain button that leaves the form (nothing is sent). */
  onCancel?(): void;
  /** Text of that button; "Batal"/"Cancel" when omitted. */
  cancelLabel?: string;
};

/**
 * The button row at the end of a form (`div.form-actions`): always one primary submit button,
 * disabled while `busy` or `disabled`, and — only when `onCancel` is given — a plain button that
 * calls it. The buttons keep their visible text as their accessible name.
 */
export function FormActions({ busy = false, disabled = false, saveLabel, onCancel, cancelLabel }: Props) {
  const { t } = useI18n();
  return (
    <div className="form-actions">
      <button type="submit" className="button primary" disabled={busy || disabled}>
        {saveLabel ?? t('common.save')}
      </button>
      {onCancel ? (
        <button type="button" className="button" onClick={onCancel}>
          {cancelLabel ?? t('common.cancel')}
        </button>
      ) : null}
    </div>
  );
}
