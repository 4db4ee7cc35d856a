//! `--site hugo|jekyll|eleventy|auto|none`: read the generator's own config
//! where it settles a question, so that `related` publishes what the
//! generator publishes without repeating its settings as flags.
//!
//! | generator | file (in the site folder) | read |
//! | --- | --- | --- |
//! | Hugo | `hugo.toml`, `hugo.yaml`, `hugo.yml`, `config.toml`, `config.yaml`, `config.yml` | `timeZone`, `defaultContentLanguage`, `buildFuture`, `buildExpired`, `languages.<code>.contentDir` |
//! | Jekyll | `_config.yml`, `_config.yaml` | `timezone`, `future` |
//! | Eleventy | `eleventy.config.js` (`.mjs`, `.cjs`, `.ts`), `.eleventy.js` (JavaScript: only found, never read) | its JSON data files, next to the pages (see [`crate::site`]) |
//!
//! `auto` (the default) picks the generator whose file is in the site folder
//! (`--root`, else the working directory): `hugo.toml`/`hugo.yaml`,
//! `_config.yml`, or an Eleventy config file, also looked for in the
//! working directory, as `--root` is then usually Eleventy's input folder
//! (a bare `config.toml` only with `--site hugo`, as many other tools have
//! one); none found is `none`. Explicit
//! flags always win over the file. A file that cannot be parsed is an error
//! naming it.

use std::path::{Path, PathBuf};

use crate::site::{SiteOptions, Zone};

/// Which generator's conventions apply (`--site`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Generator {
    /// Whichever config file is found in the site folder.
    #[default]
    Auto,
    /// Hugo: hugo.toml / config.toml / hugo.yaml.
    Hugo,
    /// Jekyll: _config.yml.
    Jekyll,
    /// Eleventy (its config is JavaScript: not read; its JSON data files are).
    Eleventy,
    /// Read no generator config.
    None,
}

const HUGO_FILES: &[&str] =
    &["hugo.toml", "hugo.yaml", "hugo.yml", "config.toml", "config.yaml", "config.yml"];
/// `auto` does not take a bare `config.toml` for Hugo's: many other tools
/// have one.
const HUGO_AUTO_FILES: &[&str] = &["hugo.toml", "hugo.yaml", "hugo.yml"];
const JEKYLL_FILES: &[&str] = &["_config.yml", "_config.yaml"];
/// Eleventy's config file names (JavaScript: found, never read).
const ELEVENTY_FILES: &[&str] = &[
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
    "eleventy.config.ts",
    ".eleventy.js",
];

/// What a generator's config says.
#[derive(Debug, Default, PartialEq)]
pub struct SiteConfig {
    /// The file read.
    pub file: Option<PathBuf>,
    /// It is Jekyll's: date permalinks are in its zone.
    pub jekyll: bool,
    /// Time zone of dates without one.
    pub zone: Option<Zone>,
    /// The language of files that name none.
    pub default_lang: Option<String>,
    /// Future posts are built.
    pub build_future: Option<bool>,
    /// Expired posts are built.
    pub build_expired: Option<bool>,
    /// Per-language content folders (absolute, or relative to the working directory).
    pub lang_dirs: Vec<(String, PathBuf)>,
    /// It is Eleventy's: its JSON data files are read ([`SiteOptions::eleventy_data`]).
    pub eleventy: bool,
}

impl SiteConfig {
    /// Fills what the flags left unset. Flags win.
    pub fn apply(self, site: &mut SiteOptions, timezone_flag: bool) {
        if !timezone_flag && site.zone.is_none() {
            site.zone = self.zone;
        }
        if site.default_lang.is_none() {
            site.default_lang = self.default_lang;
        }
        site.include_future |= self.build_future == Some(true);
        site.include_expired |= self.build_expired == Some(true);
        if site.lang_dirs.is_empty() && self.lang_dirs.len() > 1 {
            site.lang_dirs = self.lang_dirs;
        }
        site.eleventy_data |= self.eleventy;
    }
}

/// Reads the config of `generator` in `dir` (see the module docs).
pub fn read(generator: Generator, dir: &Path) -> Result<SiteConfig, String> {
    let find = |names: &[&str]| names.iter().map(|n| dir.join(n)).find(|p| p.is_file());
    // `--root` is usually Eleventy's input folder, inside the project that
    // holds the config: look in the working directory too.
    let eleventy = || SiteConfig {
        file: find(ELEVENTY_FILES)
            .or_else(|| ELEVENTY_FILES.iter().map(PathBuf::from).find(|p| p.is_file())),
        eleventy: true,
        ..SiteConfig::default()
    };
    let (hugo, jekyll) = match generator {
        Generator::None => return Ok(SiteConfig::default()),
        Generator::Eleventy => return Ok(eleventy()),
        Generator::Hugo => (find(HUGO_FILES), None),
        Generator::Jekyll => (None, find(JEKYLL_FILES)),
        Generator::Auto => (find(HUGO_AUTO_FILES), find(JEKYLL_FILES)),
    };
    if let Some(file) = hugo {
        return read_hugo(&file, dir);
    }
    if let Some(file) = jekyll {
        return read_jekyll(&file);
    }
    if matches!(generator, Generator::Hugo | Generator::Jekyll) {
        let names = if generator == Generator::Hugo { HUGO_FILES } else { JEKYLL_FILES };
        return Err(format!(
            "--site {}: no {} in {}; run related from the site's folder, or give --root",
            if generator == Generator::Hugo { "hugo" } else { "jekyll" },
            names.join(" / "),
            dir.display()
        ));
    }
    let found = eleventy();
    Ok(if found.file.is_some() { found } else { SiteConfig::default() })
}

/// The config file as JSON-like values, whatever its format.
fn parse(file: &Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let is_toml = file.extension().is_some_and(|e| e == "toml");
    if is_toml {
        let table: toml::Table = toml::from_str(&text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start].matches('\n').count() + 1;
                    format!(":{line}")
                })
                .unwrap_or_default();
            format!("{}{at}: invalid TOML: {}", file.display(), e.message().trim())
        })?;
        serde_json::to_value(table).map_err(|e| format!("{}: {e}", file.display()))
    } else {
        let value: serde_norway::Value = serde_norway::from_str(&text)
            .map_err(|e| format!("{}: invalid YAML: {e}", file.display()))?;
        if value.is_null() {
            return Ok(serde_json::Value::Null);
        }
        serde_json::to_value(value).map_err(|e| format!("{}: {e}", file.display()))
    }
}

/// A config key, case-insensitively (Hugo's keys are).
fn get<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a serde_json::Value> {
    v.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

fn zone(v: &serde_json::Value, key: &str, file: &Path) -> Result<Option<Zone>, String> {
    match get(v, key).and_then(|z| z.as_str()) {
        Some(z) if !z.trim().is_empty() => {
            Zone::parse(z).map(Some).map_err(|e| format!("{}: `{key}`: {e}", file.display()))
        }
        _ => Ok(None),
    }
}

fn read_hugo(file: &Path, dir: &Path) -> Result<SiteConfig, String> {
    let v = parse(file)?;
    let mut lang_dirs = Vec::new();
    if let Some(langs) = get(&v, "languages").and_then(|l| l.as_object()) {
        for (code, lang) in langs {
            if let Some(content) = get(lang, "contentDir").and_then(|c| c.as_str()) {
                lang_dirs.push((code.clone(), dir.join(content)));
            }
        }
    }
    lang_dirs.sort();
    Ok(SiteConfig {
        file: Some(file.to_owned()),
        jekyll: false,
        eleventy: false,
        zone: zone(&v, "timeZone", file)?,
        default_lang: get(&v, "defaultContentLanguage").and_then(|l| l.as_str()).map(str::to_owned),
        build_future: get(&v, "buildFuture").and_then(serde_json::Value::as_bool),
        build_expired: get(&v, "buildExpired").and_then(serde_json::Value::as_bool),
        lang_dirs,
    })
}

fn read_jekyll(file: &Path) -> Result<SiteConfig, String> {
    let v = parse(file)?;
    Ok(SiteConfig {
        file: Some(file.to_owned()),
        jekyll: true,
        zone: zone(&v, "timezone", file)?,
        build_future: get(&v, "future").and_then(serde_json::Value::as_bool),
        ..SiteConfig::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_config_gives_languages_zone_and_future() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("hugo.toml"),
            "timeZone = \"Asia/Tokyo\"\ndefaultContentLanguage = \"ja\"\nbuildFuture = true\n\
             [languages.en]\ncontentDir = \"content/en\"\n[languages.ja]\ncontentDir = \"content/ja\"\n",
        )
        .unwrap();
        let c = read(Generator::Auto, dir.path()).unwrap();
        assert_eq!(c.zone, Zone::parse("Asia/Tokyo").ok());
        assert_eq!(c.default_lang.as_deref(), Some("ja"));
        assert_eq!(c.build_future, Some(true));
        assert_eq!(
            c.lang_dirs,
            [
                ("en".into(), dir.path().join("content/en")),
                ("ja".into(), dir.path().join("content/ja"))
            ]
        );
        let mut site = SiteOptions { default_lang: Some("en".into()), ..SiteOptions::default() };
        c.apply(&mut site, false);
        assert_eq!(site.default_lang.as_deref(), Some("en"), "flags win");
        assert!(site.include_future && site.lang_dirs.len() == 2);
    }

    #[test]
    fn jekyll_config_and_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("_config.yml"), "timezone: UTC\nfuture: false\n").unwrap();
        let c = read(Generator::Auto, dir.path()).unwrap();
        assert_eq!(c.zone, Zone::parse("UTC").ok());
        assert_eq!(c.build_future, Some(false));
        std::fs::write(dir.path().join("_config.yml"), "timezone: Nowhere/City\n").unwrap();
        let e = read(Generator::Jekyll, dir.path()).unwrap_err();
        assert!(e.contains("_config.yml") && e.contains("timezone"), "{e}");
        let e = read(Generator::Hugo, dir.path()).unwrap_err();
        assert!(e.contains("hugo.toml"), "{e}");
        assert_eq!(read(Generator::None, dir.path()).unwrap(), SiteConfig::default());
    }

    #[test]
    fn eleventy_is_found_by_its_config_and_reads_data_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read(Generator::Auto, dir.path()).unwrap(), SiteConfig::default());
        std::fs::write(dir.path().join(".eleventy.js"), "module.exports = () => {};\n").unwrap();
        let c = read(Generator::Auto, dir.path()).unwrap();
        assert!(c.eleventy && c.file == Some(dir.path().join(".eleventy.js")), "{c:?}");
        let mut site = SiteOptions::default();
        c.apply(&mut site, false);
        assert!(site.eleventy_data);
        // --site eleventy needs no config file; --site none reads nothing.
        let empty = tempfile::tempdir().unwrap();
        assert!(read(Generator::Eleventy, empty.path()).unwrap().eleventy);
        assert!(!read(Generator::None, dir.path()).unwrap().eleventy);
    }
}
