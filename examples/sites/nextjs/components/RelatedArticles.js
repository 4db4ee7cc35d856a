import Link from "next/link";
// Written by the prebuild script, `related posts --strip-extension --url-template ...`.
// Its keys are the post slugs ("sourdough-starter"), as in the route; its urls are
// the route's pages ("/posts/sourdough-starter/").
import related from "../data/related.json";

export default function RelatedArticles({ slug }) {
  const links = related[slug] ?? [];
  if (links.length === 0) return null;
  return (
    <section className="related">
      <h2>Related articles</h2>
      <ul>
        {links.map((r) => (
          <li key={r.key}>
            <Link href={r.url}>{r.title}</Link> <time>{r.date}</time>
          </li>
        ))}
      </ul>
    </section>
  );
}
