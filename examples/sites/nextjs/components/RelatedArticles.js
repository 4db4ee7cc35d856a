import Link from "next/link";
// Written by `related posts --strip-extension -o data/related.json` (the prebuild
// script). Its keys are the post slugs ("sourdough-starter"), as in the route.
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
            <Link href={`/posts/${r.key}/`}>{r.title}</Link> <time>{r.date}</time>
          </li>
        ))}
      </ul>
    </section>
  );
}
