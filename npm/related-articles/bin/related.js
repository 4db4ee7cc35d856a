#!/usr/bin/env node
// Runs the `related` binary of the platform package that npm installed next to this one
// (the esbuild/Biome pattern: one package per os/cpu, all optionalDependencies of this one,
// npm installs only the one matching the machine). Plain Node, no dependencies.
"use strict";

const { spawnSync } = require("node:child_process");

// process.platform + " " + process.arch → platform package. Keep in step with npm/pack.sh.
const PLATFORMS = {
  "linux x64": "@related-articles/linux-x64",
  "linux arm64": "@related-articles/linux-arm64",
  "darwin x64": "@related-articles/darwin-x64",
  "darwin arm64": "@related-articles/darwin-arm64",
  "win32 x64": "@related-articles/win32-x64",
};

function fail(message) {
  process.stderr.write(`related-articles: ${message}\n`);
  process.exit(1);
}

function binaryPath() {
  // An explicit binary (e.g. one built with `cargo install`) wins.
  if (process.env.RELATED_BINARY) return process.env.RELATED_BINARY;
  const key = `${process.platform} ${process.arch}`;
  const pkg = PLATFORMS[key];
  if (!pkg) {
    fail(
      `no prebuilt binary for ${key} (available: ${Object.keys(PLATFORMS).join(", ")}).\n` +
        "  Build it from source with `cargo install --locked related` and set RELATED_BINARY\n" +
        "  to its path, or run that binary directly.",
    );
  }
  const exe = process.platform === "win32" ? "related.exe" : "related";
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    fail(
      `the platform package ${pkg} is not installed.\n` +
        "  It is an optional dependency of related-articles, so npm skips it when installing with\n" +
        "  --omit=optional (or --no-optional), or when node_modules or the lock file was made on\n" +
        "  another os/cpu. Reinstall with optional dependencies:\n" +
        "    rm -rf node_modules && npm install --include=optional\n" +
        "  or set RELATED_BINARY to a `related` binary (e.g. from `cargo install --locked related`).",
    );
  }
}

const binary = binaryPath();
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  fail(`could not run ${binary}: ${result.error.message}`);
}
if (result.signal) {
  // Die of the same signal, so the caller sees what the binary saw.
  process.kill(process.pid, result.signal);
}
process.exit(result.status ?? 1);
