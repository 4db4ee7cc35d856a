import { defineCollection, z } from "astro:content";
import { glob } from "astro/loaders";

// Entry ids are file names without ".md" ("sourdough-starter"): the keys that
// `related src/content/posts --strip-extension` writes.
const posts = defineCollection({
  loader: glob({ pattern: "**/*.md", base: "./src/content/posts" }),
  schema: z.object({
    title: z.string(),
    date: z.coerce.date(),
    tags: z.array(z.string()).default([]),
    draft: z.boolean().default(false),
  }),
});

export const collections = { posts };
