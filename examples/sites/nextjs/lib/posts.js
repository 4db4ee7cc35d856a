import fs from "node:fs";
import path from "node:path";
import matter from "gray-matter";

const postsDir = path.join(process.cwd(), "posts");

// posts/<slug>.md -> { slug, title, date: "YYYY-MM-DD", draft, content }
function readPost(file) {
  const { data, content } = matter(fs.readFileSync(path.join(postsDir, file), "utf8"));
  const date = data.date instanceof Date ? data.date.toISOString().slice(0, 10) : String(data.date);
  return { slug: file.replace(/\.md$/, ""), title: data.title, date, draft: data.draft === true, content };
}

export function getPosts() {
  return fs
    .readdirSync(postsDir)
    .filter((file) => file.endsWith(".md"))
    .map(readPost)
    .filter((post) => !post.draft)
    .sort((a, b) => b.date.localeCompare(a.date));
}

export function getPost(slug) {
  return getPosts().find((post) => post.slug === slug);
}
