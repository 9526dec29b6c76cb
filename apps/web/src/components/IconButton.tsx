import type { LucideIcon } from 'lucide-react';
import { type ButtonHTMLAttributes, forwardRef } from 'react';

interface Props extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'children'> {
  icon: LucideIcon;
  /** The accessible name, also the tooltip. */
  label: string;
  /** Text shown beside the icon; without it the button is icon-only. */
  text?: string;
}

/** A button with a Lucide icon; icon-only buttons carry their name in aria-label and title. */
export const IconButton = forwardRef<HTMLButtonElement, Props>(function IconButton(
  { icon: Icon, label, text, className, ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type="button"
      className={`${text ? 'btn' : 'icon-btn'}${className ? ` ${className}` : ''}`}
      aria-label={text ? undefined : label}
      title={label}
      {...rest}
    >
      <Icon aria-hidden="true" size={18} strokeWidth={1.75} />
      {text && <span>{text}</span>}
    </button>
  );
});
