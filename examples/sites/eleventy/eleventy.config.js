export default function (eleventyConfig) {
  // Drafts (`draft: true`) are neither rendered nor collected; `related` skips them too.
  eleventyConfig.addPreprocessor("drafts", "md", (data) => {
    if (data.draft) return false;
  });
}

export const config = {
  dir: { input: "content" },
};
