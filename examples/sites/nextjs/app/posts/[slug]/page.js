import { marked } from "marked";
import RelatedArticles from "../../../components/RelatedArticles";
import { getPost, getPosts } from "../../../lib/posts";

export const dynamicParams = false;

export function generateStaticParams() {
  return getPosts().map((post) => ({ slug: post.slug }));
}

export async function generateMetadata({ params }) {
  const { slug } = await params;
  return { title: `${getPost(slug).title} | related: Next.js example` };
}

export default async function PostPage({ params }) {
  const { slug } = await params;
  const post = getPost(slug);
  return (
    <>
      <article>
        <h1>{post.title}</h1>
        <time>{post.date}</time>
        <div dangerouslySetInnerHTML={{ __html: marked.parse(post.content) }} />
      </article>
      <RelatedArticles slug={slug} />
    </>
  );
}
