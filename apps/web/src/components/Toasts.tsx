interface Props {
  deletedTitle: string | undefined;
  onUndo: () => void;
  notice: string | undefined;
  onDismiss: () => void;
}

/** Short-lived messages above the composer: a deletion to undo, the outcome of an import. */
export function Toasts({ deletedTitle, onUndo, notice, onDismiss }: Props) {
  return (
    <div className="toasts">
      {deletedTitle !== undefined && (
        <div className="toast" role="status">
          <span>Deleted “{deletedTitle}”.</span>
          <button type="button" className="btn btn--quiet" onClick={onUndo}>
            Undo
          </button>
        </div>
      )}
      {notice && (
        <div className="toast" role="status">
          <span>{notice}</span>
          <button type="button" className="btn btn--quiet" onClick={onDismiss}>
            Dismiss
          </button>
        </div>
      )}
    </div>
  );
}
