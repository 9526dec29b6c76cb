import { ExternalLink } from 'lucide-react';
import { type Source, safeLink } from '../../chat/sources';

/**
 * An answer's web-search results as a numbered list. Titles and links come from the web: they
 * are only ever text. A link becomes an anchor only when it is an absolute http(s) URL (opened
 * in a new tab, without an opener or referrer); any other scheme is printed, not linked.
 */
export function Sources({ sources, anchor }: { sources: readonly Source[]; anchor: string }) {
  const titleId = `${anchor}-title`;
  return (
    <section className="sources" aria-labelledby={titleId} data-testid="sources">
      <h3 className="sources__title" id={titleId}>
        Sources
      </h3>
      <ol className="sources__list">
        {sources.map((source, i) => {
          const href = safeLink(source.link);
          const title = source.title || hostOf(href) || source.link || `Result ${i + 1}`;
          const meta = [source.media, source.date].filter(Boolean).join(' · ');
          return (
            <li key={i} id={`${anchor}-${i + 1}`} className="source" data-testid="source">
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer" className="source__link">
                  <span className="source__name">{title}</span>
                  <ExternalLink aria-hidden="true" size={13} />
                  <span className="visually-hidden"> (opens in a new tab)</span>
                </a>
              ) : (
                <span className="source__name">{title}</span>
              )}
              <span className="source__meta">
                {href ? hostOf(href) : source.link && <span>Not a web link: {source.link}</span>}
                {meta && <span>{meta}</span>}
              </span>
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function hostOf(href: string | undefined): string {
  if (!href) return '';
  try {
    return new URL(href).host;
  } catch {
    return '';
  }
}
