import Link from "next/link";
import { getPosts } from "../lib/posts";

export default function Home() {
  return (
    <>
      <h1>Posts</h1>
      <p>
        Posts about Rust CLI tools, bread baking and travel in Kyoto, each with its related
        articles computed by <code>related</code>.
      </p>
      <ul>
        {getPosts().map((post) => (
          <li key={post.slug}>
            <Link href={`/posts/${post.slug}/`}>{post.title}</Link> <time>{post.date}</time>
          </li>
        ))}
      </ul>
    </>
  );
}
