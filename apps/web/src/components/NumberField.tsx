interface Props {
  id: string;
  label: string;
  min: number;
  max: number | undefined;
  step: number;
  value: number;
  hint?: string;
  onChange: (value: number) => void;
}

/** A labelled number input whose range is announced with it. */
export function NumberField({ id, label, min, max, step, value, hint, onChange }: Props) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        min={min}
        max={max}
        step={step}
        value={Number.isFinite(value) ? value : ''}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onChange={(e) => onChange(e.target.valueAsNumber)}
      />
      {hint && (
        <p className="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}
