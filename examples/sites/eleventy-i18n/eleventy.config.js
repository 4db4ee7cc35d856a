export default function (eleventyConfig) {
  // Eleventy builds future-dated posts; this site does not (nor does `related`, by default).
  // A preprocessor that returns false skips the template: no page, no collection entry.
  const now = new Date();
  eleventyConfig.addPreprocessor("future", "md", (data) => {
    if (data.page.date > now) return false;
  });
}

export const config = {
  dir: { input: "content" },
};
