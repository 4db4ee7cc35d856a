//! Related articles from documents a program already has in memory, as a
//! static-site generator written in Rust would compute them: no files, no
//! command line, nothing printed by the library.
//!
//! ```sh
//! cargo run --example embed
//! ```

use related::{Corpus, Document, Options, Origin, compute};

fn main() -> Result<(), related::Error> {
    // What a generator knows about its pages after parsing them.
    let pages = [
        (
            "/posts/pour-over/",
            "Pour-over coffee",
            "Brewing coffee by hand with a paper filter and a kettle.",
            "2024-03-01",
        ),
        (
            "/posts/espresso/",
            "Espresso at home",
            "Pulling espresso shots: grind, dose and pressure for coffee.",
            "2024-04-12",
        ),
        (
            "/posts/sourdough/",
            "Sourdough basics",
            "A starter, flour, water and salt make bread.",
            "2024-05-20",
        ),
        (
            "/posts/baguette/",
            "Baguettes",
            "Shaping and baking a crusty bread from flour and water.",
            "2024-06-02",
        ),
        (
            "/posts/hand-grinder/",
            "Choosing a hand grinder",
            "Burr grinders for coffee: grind size for espresso and pour-over.",
            "2024-07-15",
        ),
    ];
    let docs = pages
        .iter()
        .map(|&(url, title, text, date)| Document {
            key: url.into(),
            // Not read from a file by `related`: no file-name conventions
            // apply, and the key is used as given (this is the default).
            origin: Origin::Memory,
            title: Some(title.into()),
            text: text.into(),
            date: Some(date.into()),
            ..Document::default()
        })
        .collect();
    let corpus = Corpus::new(docs)?;

    let options = Options { top_k: 2, explain: 3, ..Options::default() };
    let outcome = compute(corpus, &options)?;

    for (page, list) in outcome.iter() {
        println!("{}", page.key);
        for n in list {
            let other = outcome.corpus.get(n.doc);
            println!("  {:.3}  {}  (shared: {})", n.score, other.key, n.terms.join(", "));
        }
    }
    // Coffee pages find coffee pages, bread pages find bread pages.
    let first =
        |key: &str| outcome.neighbours(key).and_then(|l| l.first().map(|(k, _)| k.to_string()));
    assert_eq!(first("/posts/sourdough/").as_deref(), Some("/posts/baguette/"));
    assert!(
        first("/posts/espresso/")
            .is_some_and(|k| k != "/posts/sourdough/" && k != "/posts/baguette/")
    );
    Ok(())
}
